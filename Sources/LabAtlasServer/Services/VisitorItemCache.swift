import Foundation
import SQLKit
import Synchronization
import Vapor
import LabAtlasCore

/// Items as visitors see them, kept by item: their cards (`ItemPresenter.card`,
/// with their HTML) and their JSON in the read API's lists. Both show the
/// item's own fields and what it points at (names, slugs, visibility), so
/// they hold while the item's version (`ItemVersions`) and every type's
/// references (`ContentVersions`) are unchanged. A list page, the home page or
/// an API list rendered again after a write (a new project changes every
/// project list) then builds only the items written since, instead of
/// reading every item, its links and their names, and rendering each.
///
/// Bounded in items, 256 a megabyte of `LABATLAS_PAGE_CACHE_MB` each (a card
/// with its HTML, or an item's JSON, is one to two kilobytes: under half as
/// much memory again; 0 keeps none): past the bound it starts afresh, which
/// a few pages refill.
final class VisitorItemCache<Value: Sendable>: Sendable {
    private struct Kept {
        var references: Int64
        var version: Int64
        var value: Value
    }

    private struct State {
        var items: [UUID: Kept] = [:]
        var hits = 0
        var built = 0
    }

    let capacity: Int
    private let state = Mutex(State())

    init(capacity: Int) {
        self.capacity = capacity
    }

    /// Items the cache may hold, for a page cache of `pageBytes`.
    static func capacity(pageBytes: Int) -> Int { pageBytes / 4096 }

    /// The versions what a visitor sees of each of `ids` depends on, in one read:
    /// every type's references, folded into one number, and each item's version.
    func stamps(of ids: [UUID], on sql: any SQLDatabase) async throws -> (references: Int64, versions: [UUID: Int64]) {
        let rows = try await sql.raw("""
            SELECT item_type AS name, reference_version AS version FROM \(unsafeRaw: ContentVersions.table)
            UNION ALL SELECT CAST(item_id AS TEXT), version FROM \(unsafeRaw: ItemVersions.table) WHERE item_id IN (\(binds: ids))
            """).all()
        var references: [String: Int64] = [:]
        var versions: [UUID: Int64] = [:]
        for row in rows {
            let name = try row.decode(column: "name", as: String.self)
            let version = try row.decode(column: "version", as: Int64.self)
            if let id = UUID(uuidString: name) { versions[id] = version } else { references[name] = version }
        }
        // One number for them all: an item is kept only while none has changed.
        let folded = references.sorted { $0.key < $1.key }.reduce(Int64(17)) { ($0 &* 1_000_003) ^ $1.value }
        return (folded, versions)
    }

    func kept(_ id: UUID, references: Int64, version: Int64) -> Value? {
        state.withLock { state in
            guard let kept = state.items[id], kept.references == references, kept.version == version else { return nil }
            state.hits += 1
            return kept.value
        }
    }

    func keep(_ value: Value, for id: UUID, references: Int64, version: Int64) {
        state.withLock { state in
            state.built += 1
            guard capacity > 0 else { return }
            if state.items.count >= capacity, state.items[id] == nil { state.items.removeAll(keepingCapacity: true) }
            state.items[id] = Kept(references: references, version: version, value: value)
        }
    }

    var statistics: (hits: Int, built: Int, items: Int) {
        state.withLock { ($0.hits, $0.built, $0.items.count) }
    }

    /// What visitors see of the items `ids`, in order: the kept ones, and the
    /// others made by `make` (from the visible ones among them) and kept.
    func values(of ids: [UUID], on sql: any SQLDatabase,
                make: ([UUID]) async throws -> [(id: UUID, value: Value)]) async throws -> [Value] {
        // No ids, nothing to read: PostgreSQL refuses `IN ()`.
        guard !ids.isEmpty else { return [] }
        // Read before the values are made: a write in between makes a value newer than its stamp, never older.
        let stamps = try await stamps(of: ids, on: sql)
        var found: [UUID: Value] = [:]
        for id in ids {
            if let value = kept(id, references: stamps.references, version: stamps.versions[id] ?? 0) { found[id] = value }
        }
        let missing = ids.filter { found[$0] == nil }
        // A kept value is of an item visitors saw with these references, visibility included; the others are read for them.
        for (id, value) in missing.isEmpty ? [] : try await make(missing) {
            found[id] = value
            keep(value, for: id, references: stamps.references, version: stamps.versions[id] ?? 0)
        }
        return ids.compactMap { found[$0] }
    }
}

typealias VisitorCardCache = VisitorItemCache<Card>
/// Each item's JSON as the read API's lists write it.
typealias VisitorJSONCache = VisitorItemCache<ByteBuffer>

extension Application {
    private struct VisitorCardCacheKey: StorageKey {
        typealias Value = VisitorCardCache
    }

    var visitorCards: VisitorCardCache {
        get { storage[VisitorCardCacheKey.self] ?? VisitorCardCache(capacity: 0) }
        set { storage[VisitorCardCacheKey.self] = newValue }
    }

    private struct VisitorJSONCacheKey: StorageKey {
        typealias Value = VisitorJSONCache
    }

    var visitorJSON: VisitorJSONCache {
        get { storage[VisitorJSONCacheKey.self] ?? VisitorJSONCache(capacity: 0) }
        set { storage[VisitorJSONCacheKey.self] = newValue }
    }
}

extension Request {
    /// The repository of this request's reader, keeping visitors' cards.
    var repository: ItemRepository {
        ItemRepository(database: db, reader: reader, keptCards: application.visitorCards) { card in
            try await self.renderCardFragment(card)
        }
    }

    /// `card.leaf` alone: what a page's `#extend("card")` writes for it.
    private func renderCardFragment(_ card: Card) async throws -> String {
        struct Fragment: Encodable { var card: Card }
        var unrendered = card
        unrendered.html = nil
        let view = try await self.view.render("card", Fragment(card: unrendered))
        return String(buffer: view.data).trimmingCharacters(in: .newlines)
    }
}
