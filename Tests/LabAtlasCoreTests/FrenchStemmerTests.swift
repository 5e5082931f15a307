import Foundation
import Testing
@testable import LabAtlasCore

/// The Snowball French test vocabulary (see Fixtures/snowball-french/README.md).
enum SnowballFrenchVocabulary {
    static let words = lines(of: "voc")
    static let stems = lines(of: "output")

    static func lines(of name: String) -> [String] {
        guard let url = Bundle.module.url(forResource: name, withExtension: "txt", subdirectory: "Fixtures/snowball-french"),
              let text = try? String(contentsOf: url, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").map(String.init)
    }
}

@Suite struct FrenchStemmerTests {
    @Test func everyPairOfTheSnowballVocabulary() {
        let words = SnowballFrenchVocabulary.words
        let stems = SnowballFrenchVocabulary.stems
        #expect(words.count == 20_805)
        #expect(stems.count == words.count)
        var mismatches: [String] = []
        for (word, expected) in zip(words, stems) {
            let stem = FrenchStemmer.stem(word)
            if stem != expected { mismatches.append("\(word) → \(stem), expected \(expected)") }
        }
        #expect(mismatches.isEmpty, "\(mismatches.count) of \(words.count) words stem wrongly, first: \(mismatches.prefix(8).joined(separator: "; "))")
    }

    @Test func theVariantOfTheAlgorithm() {
        // "ë" and "ï" are marked with H while stemming: no "gu" needed before "ë".
        #expect(FrenchStemmer.stem("ambiguë") == "ambigu")
        #expect(FrenchStemmer.stem("canoës") == "cano")
        #expect(FrenchStemmer.stem("haïssent") == "haïssent")
        #expect(FrenchStemmer.stem("maïs") == "maï")
        // "Ier" and "ière" become "i" only inside RV.
        #expect(FrenchStemmer.stem("altière") == "altier")
        #expect(FrenchStemmer.stem("banquière") == "banqui")
        // No elision step and no "-oux" rule in this version.
        #expect(FrenchStemmer.stem("genoux") == "genoux")
        #expect(FrenchStemmer.stem("mobilités") == "mobil")
    }

    @Test func foldedWordsLoseTheirAccentedSuffixesToo() {
        #expect(FrenchStemmer.stemFolded("mobilite") == "mobil")
        #expect(FrenchStemmer.stemFolded("visieres") == "visi")
        #expect(FrenchStemmer.stemFolded("employee") == "emploi")
        #expect(FrenchStemmer.stemFolded("heroique") == "hero")
        #expect(FrenchStemmer.stemFolded("acces") == "acces")
        #expect(FrenchStemmer.stemFolded("different") == "different")
        #expect(FrenchStemmer.stemFolded("limite") == "limit")
    }

    @Test func oddInputDoesNotTrap() {
        for word in ["", "a", "s", "ë", "ïï", "qu", "yyyy", "ment", "issements", "\u{301}", "日本語", "ééééé", "hhh", "2024"] {
            _ = FrenchStemmer.stem(word)
            _ = FrenchStemmer.stemFolded(word)
        }
        #expect(FrenchStemmer.stem("") == "")
        #expect(FrenchStemmer.stem("2024") == "2024")
    }
}
