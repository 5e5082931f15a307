import Synchronization

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
        return VocabularyMatching.keys(of: Self.self)[wanted].flatMap(Self.init(rawValue:))
    }

    /// The keys, in their declared order, for error messages ("attendu : a, b, c").
    public static var keyList: String { allCases.map(\.rawValue).joined(separator: ", ") }
}

enum VocabularyMatching {
    /// Every vocabulary's keys by their keys and labels normalised, the first
    /// case in declared order winning: built once a type, since each save and
    /// each list's filters parse values (normalising every key and label at
    /// each parse cost a save more than its theme's row did).
    private static let tables = Mutex<[ObjectIdentifier: [String: String]]>([:])

    static func keys<V: Vocabulary>(of vocabulary: V.Type) -> [String: String] {
        let id = ObjectIdentifier(vocabulary)
        if let table = tables.withLock({ $0[id] }) { return table }
        var table: [String: String] = [:]
        for candidate in vocabulary.allCases {
            for name in [candidate.rawValue, candidate.label] {
                let normalised = normalise(name)
                if !normalised.isEmpty, table[normalised] == nil { table[normalised] = candidate.rawValue }
            }
        }
        tables.withLock { $0[id] = table }
        return table
    }

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
