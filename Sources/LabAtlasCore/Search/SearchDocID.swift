import Foundation

/// The search index's document number: the item's type and visibility in the
/// high bits, then a sequence number that grows with every (re)indexing.
///
/// Both engines iterate their posting lists in document-number order, so a
/// `(type, visibility)` pair is a contiguous range: counting the public
/// projects that match a query is a range-restricted count inside FTS5 (or a
/// primary-key range on PostgreSQL), with no join to another table, and "the
/// most recently indexed matches" is a backward walk of that range.
public enum SearchDocID {
    static let typeShift: Int64 = 56
    static let visibilityShift: Int64 = 48
    static let sequenceMask: Int64 = (1 << 48) - 1

    /// Stable codes, written in every index: never renumber them.
    static func code(_ type: ItemType) -> Int64 {
        switch type {
        case .labs: 1
        case .projects: 2
        case .experiences: 3
        case .sessions: 4
        case .events: 5
        case .methods: 6
        case .networks: 7
        }
    }

    static func code(_ visibility: Visibility) -> Int64 {
        switch visibility {
        case .public: 0
        case .network: 1
        case .members: 2
        }
    }

    public static func make(type: ItemType, visibility: Visibility, sequence: Int64) -> Int64 {
        precondition(sequence > 0 && sequence <= sequenceMask, "search sequence out of range")
        return code(type) << typeShift | code(visibility) << visibilityShift | sequence
    }

    public static func sequence(of id: Int64) -> Int64 { id & sequenceMask }

    public static func type(of id: Int64) -> ItemType? {
        ItemType.allCases.first { code($0) == id >> typeShift }
    }

    /// Every document of `type` whose visibility is one of `visibilities`, which must be adjacent codes.
    public static func range(type: ItemType, visibilities: [Visibility]) -> ClosedRange<Int64> {
        let codes = visibilities.map(code).sorted()
        let low = codes.first ?? 0, high = codes.last ?? 2
        precondition(high - low + 1 == Int64(codes.count), "visibilities of one range must be adjacent")
        let base = code(type) << typeShift
        return (base | low << visibilityShift | 1)...(base | high << visibilityShift | sequenceMask)
    }

    public static func range(type: ItemType) -> ClosedRange<Int64> {
        range(type: type, visibilities: [.public, .network, .members])
    }

    /// A document's type and visibility as one number (the bits above its
    /// sequence): the part of the index a posting list is kept for.
    public static func scope(of id: Int64) -> Int64 { id >> visibilityShift }

    public static func scope(type: ItemType, visibility: Visibility) -> Int64 {
        code(type) << (typeShift - visibilityShift) | code(visibility)
    }

    public static func make(scope: Int64, sequence: Int64) -> Int64 { scope << visibilityShift | sequence }
}
