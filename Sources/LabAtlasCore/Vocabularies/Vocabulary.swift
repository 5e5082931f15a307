/// A closed list of keys with French labels, as listed in CONTRACT.md.
///
/// Imports and filters accept either the key or the label: case, accents and
/// a leading "innovation" are ignored, so "Pédagogique", "pedagogique" and
/// "Innovation pédagogique" all name `pedagogique`.
public protocol Vocabulary: RawRepresentable, CaseIterable, Codable, Sendable, Hashable
where RawValue == String, AllCases: RandomAccessCollection {
    var label: String { get }
}

extension Vocabulary {
    public var key: String { rawValue }

    public static func parse(_ input: String) -> Self? {
        let wanted = VocabularyMatching.normalise(input)
        guard !wanted.isEmpty else { return nil }
        return allCases.first { candidate in
            VocabularyMatching.normalise(candidate.rawValue) == wanted
                || VocabularyMatching.normalise(candidate.label) == wanted
        }
    }

    /// The keys, in their declared order, for error messages ("attendu : a, b, c").
    public static var keyList: String { allCases.map(\.rawValue).joined(separator: ", ") }
}

enum VocabularyMatching {
    static func normalise(_ text: String) -> String {
        var folded = TextFolding.fold(text)
            .replacingOccurrences(of: "_", with: " ")
            .replacingOccurrences(of: "-", with: " ")
            .replacingOccurrences(of: "'", with: " ")
            .split(whereSeparator: { $0 == " " })
            .joined(separator: " ")
        if folded.hasPrefix("innovation ") {
            folded.removeFirst("innovation ".count)
        }
        if folded.hasPrefix("d ") {  // "d'usages" once the apostrophe is gone
            folded.removeFirst(2)
        }
        return folded
    }
}
