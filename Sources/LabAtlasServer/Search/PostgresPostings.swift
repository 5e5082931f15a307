import Foundation
import SQLKit
import LabAtlasCore

/// PostgreSQL's own posting lists (`search_bitmaps`, migration 006): for each
/// key (a term anywhere in a document, a term of its title, a facet value's
/// code in the scope) and each scope (`SearchDocID.scope`: type and
/// visibility), the set of documents holding it, as `PostingBitmap`s. A term's
/// set is stored a chunk of 65,536 sequences a row (a save rewrites a few kB
/// of a common word); a facet value's set is one row (`wholeSetChunk`), since
/// a typed search reads every value of its type's facets: the thousands of
/// labs would otherwise be tens of thousands of rows.
///
/// A GIN index answers no count by itself: PostgreSQL visits one heap page per
/// match, 1.3 to 2.5 µs each, and a common word matches a tenth of the atlas.
/// These sets answer counts per type and facet value, and the newest matches,
/// from a few kilobytes a term. They are written in the writer's transaction
/// with the documents (writers of a schema are serialised, see
/// `writeTransaction`), and rebuilt whole by migration 006 and `reindex`.
struct PostgresPostings {
    let database: any SQLDatabase

    static let table = "search_bitmaps"

    enum Key {
        static func word(_ term: some StringProtocol) -> String { "w:" + term }
        static func title(_ term: some StringProtocol) -> String { "t:" + term }
        /// A facet value's key names its scope too, so that a scope's facet values
        /// lie together in the primary key: a typed search reads them as one range.
        static func facet(_ code: Int64, scope: Int64) -> String { facetsPrefix(scope: scope) + String(code) }
        static func facetsPrefix(scope: Int64) -> String { "f:" + String(scope) + ":" }
        static let wordPrefix = "w:", titlePrefix = "t:", facetPrefix = "f:"
    }

    /// The `chunk` of a row holding a whole set (`PostingBitmap.encoded`).
    static let wholeSetChunk: Int64 = -1

    static func storedWhole(_ key: String) -> Bool { key.hasPrefix(Key.facetPrefix) }

    /// A stored row's set; nil when its bytes are not one.
    static func set(chunk: Int64, bytes: Data) -> PostingBitmap? {
        if chunk == wholeSetChunk { return PostingBitmap(encoded: [UInt8](bytes)) }
        var set = PostingBitmap()
        return set.add(chunk: chunk, container: bytes) ? set : nil
    }

    /// Where one container (or whole set) is stored.
    struct Slot: Hashable {
        var key: String
        var scope: Int64
        var chunk: Int64
    }

    // MARK: - Writing

    /// Adds and removes documents (`SearchDocID`s) under keys.
    func change(adding: [(key: String, docID: Int64)], removing: [(key: String, docID: Int64)]) async throws {
        var changes: [Slot: (adds: [Int64], removes: [Int64])] = [:]
        for (key, docID) in adding { changes[Self.slot(key, docID), default: ([], [])].adds.append(SearchDocID.sequence(of: docID)) }
        for (key, docID) in removing { changes[Self.slot(key, docID), default: ([], [])].removes.append(SearchDocID.sequence(of: docID)) }
        guard !changes.isEmpty else { return }
        // One statement per (scope, chunk) and batch of keys: a save touches one of each.
        let groups = Dictionary(grouping: changes.keys) { [$0.scope, $0.chunk] }
        for (group, slots) in groups.sorted(by: { $0.key.lexicographicallyPrecedes($1.key) }) {
            let keys = slots.map(\.key).sorted()
            for start in stride(from: 0, to: keys.count, by: 1_000) {
                let batch = Array(keys[start..<min(start + 1_000, keys.count)])
                var stored: [String: PostingBitmap] = [:]
                for row in try await database.select().column("key").column("bits").from(Self.table)
                    .where("scope", .equal, SQLBind(group[0])).where("chunk", .equal, SQLBind(group[1]))
                    .where("key", .in, SQLBind.group(batch)).all() {
                    let key = try row.decode(column: "key", as: String.self)
                    guard let set = Self.set(chunk: group[1], bytes: try row.decode(column: "bits", as: Data.self)) else {
                        throw PostingsError.malformedContainer(key)
                    }
                    stored[key] = set
                }
                var written: [[any SQLExpression]] = []
                var emptied: [String] = []
                for key in batch {
                    let change = changes[Slot(key: key, scope: group[0], chunk: group[1])]!
                    var bitmap = stored[key] ?? PostingBitmap()
                    for sequence in change.removes { bitmap.remove(sequence) }
                    for sequence in change.adds { bitmap.insert(sequence) }
                    if !bitmap.isEmpty {
                        let bytes = group[1] == Self.wholeSetChunk ? bitmap.encoded : bitmap.containers[0].bytes
                        written.append([SQLBind(key), SQLBind(group[0]), SQLBind(group[1]), SQLBind(Data(bytes))])
                    } else if stored[key] != nil {
                        emptied.append(key)
                    }
                }
                try await write(written)
                if !emptied.isEmpty {
                    try await database.delete(from: Self.table)
                        .where("scope", .equal, SQLBind(group[0])).where("chunk", .equal, SQLBind(group[1]))
                        .where("key", .in, SQLBind.group(emptied)).run()
                }
            }
        }
    }

    /// Removes every key starting with one of `prefixes`.
    func removeAll(prefixes: [String]) async throws {
        for prefix in prefixes {
            try await database.delete(from: Self.table)
                .where("key", .greaterThanOrEqual, SQLBind(prefix)).where("key", .lessThan, SQLBind(prefix + "\u{10FFFF}")).run()
        }
    }

    /// Writes whole sets (a rebuild), given as their sequences: they must not be stored yet.
    func insert(_ sets: [(key: String, scope: Int64, sequences: [Int64])]) async throws {
        var rows: [[any SQLExpression]] = []
        for set in sets {
            let bitmap = PostingBitmap(set.sequences)
            let stored = Self.storedWhole(set.key) ? [(chunk: Self.wholeSetChunk, bytes: bitmap.encoded)] : bitmap.containers
            for container in stored where !bitmap.isEmpty {
                rows.append([SQLBind(set.key), SQLBind(set.scope), SQLBind(container.chunk), SQLBind(Data(container.bytes))])
                if rows.count == 1_000 {
                    try await write(rows)
                    rows = []
                }
            }
        }
        try await write(rows)
    }

    private func write(_ rows: [[any SQLExpression]]) async throws {
        guard !rows.isEmpty else { return }
        try await database.insert(into: Self.table).columns("key", "scope", "chunk", "bits").valueRows(rows)
            .onConflict(with: ["key", "scope", "chunk"]) { $0.set(excludedValueOf: "bits") }
            .run()
    }

    private static func slot(_ key: String, _ docID: Int64) -> Slot {
        Slot(key: key, scope: SearchDocID.scope(of: docID),
             chunk: storedWhole(key) ? wholeSetChunk : PostingBitmap.chunk(of: SearchDocID.sequence(of: docID)))
    }

    // MARK: - Reading

    /// The stored sets of `keys`, and of every key starting with one of
    /// `prefixes`, in `scopes`: key → scope → set.
    func load(keys: Set<String>, prefixes: Set<String> = [], scopes: [Int64]) async throws -> [String: [Int64: PostingBitmap]] {
        guard !scopes.isEmpty, !keys.isEmpty || !prefixes.isEmpty else { return [:] }
        var wanted: [any SQLExpression] = []
        if !keys.isEmpty { wanted.append(SQLBinaryExpression(left: SQLIdentifier("key"), op: SQLBinaryOperator.in, right: SQLBind.group(Array(keys)))) }
        for prefix in prefixes.sorted() {
            wanted.append(SQLGroupExpression(SQLBinaryExpression(
                left: SQLBinaryExpression(left: SQLIdentifier("key"), op: SQLBinaryOperator.greaterThanOrEqual, right: SQLBind(prefix)),
                op: SQLBinaryOperator.and,
                right: SQLBinaryExpression(left: SQLIdentifier("key"), op: SQLBinaryOperator.lessThan, right: SQLBind(prefix + "\u{10FFFF}")))))
        }
        let rows = try await database.select().column("key").column("scope").column("chunk").column("bits").from(Self.table)
            .where("scope", .in, SQLBind.group(scopes))
            .where(SQLGroupExpression.anyOf(wanted))
            .all()
        var sets: [String: [Int64: PostingBitmap]] = [:]
        for row in rows {
            let key = try row.decode(column: "key", as: String.self)
            let scope = try row.decode(column: "scope", as: Int64.self)
            guard let set = Self.set(chunk: try row.decode(column: "chunk", as: Int64.self), bytes: try row.decode(column: "bits", as: Data.self))
            else { throw PostingsError.malformedContainer(key) }
            sets[key, default: [:]][scope, default: PostingBitmap()].formUnion(set)
        }
        return sets
    }

    // MARK: - Rebuilding

    /// Every set from the stored documents and facet codes (after a bulk load, or
    /// to create them): one scope at a time, so memory holds one scope's postings.
    func rebuild() async throws {
        try await removeAll(prefixes: [Key.wordPrefix, Key.titlePrefix, Key.facetPrefix])
        for type in ItemType.allCases {
            for visibility in Visibility.allCases {
                let scope = SearchDocID.scope(type: type, visibility: visibility)
                let range = SearchDocID.range(type: type, visibilities: [visibility])
                // Sequences, not bitmaps, while reading: most terms are rare, and a
                // bitmap takes 8 kB for each chunk it touches.
                var sets: [String: [Int64]] = [:]
                try await scan(SearchSchema.texts, columns: ["terms_title", "terms_body"], in: range) { docID, row in
                    let sequence = SearchDocID.sequence(of: docID)
                    let title = Set(BM25.tokens(try row.decode(column: "terms_title", as: String.self)))
                    for term in title { sets[Key.title(term), default: []].append(sequence) }
                    for term in title.union(BM25.tokens(try row.decode(column: "terms_body", as: String.self))) {
                        sets[Key.word(term), default: []].append(sequence)
                    }
                }
                try await scan(SearchFacetCodes.codes, columns: ["codes"], in: range) { docID, row in
                    for code in Set(BM25.tokens(try row.decode(column: "codes", as: String.self))).compactMap({ Int64($0) }) {
                        sets[Key.facet(code, scope: scope), default: []].append(SearchDocID.sequence(of: docID))
                    }
                }
                try await insert(sets.sorted { $0.key < $1.key }.map { ($0.key, scope, $0.value) })
            }
        }
    }

    /// Reads a table keyed by `doc_id` over `range`, a page at a time.
    private func scan(_ table: String, columns: [String], in range: ClosedRange<Int64>,
                      _ each: (Int64, any SQLRow) throws -> Void) async throws {
        var after = range.lowerBound - 1
        while true {
            var select = database.select().column("doc_id")
            for column in columns { select = select.column(SQLIdentifier(column)) }
            let rows = try await select.from(table)
                .where("doc_id", .greaterThan, SQLBind(after)).where("doc_id", .lessThanOrEqual, SQLBind(range.upperBound))
                .orderBy("doc_id").limit(5_000).all()
            for row in rows {
                after = try row.decode(column: "doc_id", as: Int64.self)
                try each(after, row)
            }
            if rows.count < 5_000 { return }
        }
    }
}

enum PostingsError: Error, CustomStringConvertible {
    case malformedContainer(String)

    var description: String {
        switch self {
        case .malformedContainer(let key): "search_bitmaps: the stored set of \(key) is not a container"
        }
    }
}
