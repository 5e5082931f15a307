// TEMPORARY STUB so the server compiles while the real analyzer is written; replace this file entirely.
import Foundation

public struct AnalyzedToken: Sendable, Equatable {
    public let range: Range<String.Index>
    public let term: String?
}

public enum FrenchAnalyzer {
    static let stops: Set<String> = ["le", "la", "les", "de", "des", "du", "un", "une", "et", "a", "au", "aux", "en", "pour", "l", "d"]
    public static func isStopWord(_ word: String) -> Bool { stops.contains(TextFolding.fold(word)) }
    public static func term(_ word: String) -> String? {
        var folded = TextFolding.fold(word)
        if stops.contains(folded) || folded.isEmpty { return nil }
        while folded.count > 3, folded.hasSuffix("s") || folded.hasSuffix("e") { folded.removeLast() }
        return folded
    }
    public static func tokens(_ text: String) -> [AnalyzedToken] {
        var result: [AnalyzedToken] = []
        var start: String.Index?
        var index = text.startIndex
        while index < text.endIndex {
            let c = text[index]
            if c.isLetter || c.isNumber { if start == nil { start = index } } else if let s = start {
                result.append(AnalyzedToken(range: s..<index, term: term(String(text[s..<index])))); start = nil
            }
            index = text.index(after: index)
        }
        if let s = start { result.append(AnalyzedToken(range: s..<text.endIndex, term: term(String(text[s...])))) }
        return result
    }
    public static func terms(_ text: String) -> [String] { tokens(text).compactMap(\.term) }
}
