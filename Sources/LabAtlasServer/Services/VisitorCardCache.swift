import Foundation
import SQLKit
import Synchronization
import Vapor
import LabAtlasCore

/// Cards of items as visitors see them (`ItemPresenter.card`), kept by item:
/// a card shows its item's own fields and the names of what it points at,
/// so it holds while the item's version (`ItemVersions`) and every type's
/// references (`ContentVersions`) are unchanged. A list page or the home page
/// rendered again after a write (a new project changes every project list)
/// then builds only the cards of the items written since, instead of reading
/// every item, its links and their names, and shortening its Markdown.
///
/// A kept card also carries its HTML (`Card.html`), rendered once, which
/// pages insert as it is.
///
/// Bounded in cards, 256 a megabyte of `LABATLAS_PAGE_CACHE_MB` (a card with
/// its HTML is one to two kilobytes: under half as much memory again; 0
/// keeps none): past the bound it starts afresh, which a few pages refill.
final class VisitorCardCache: Sendable {
    private struct Kept {
        var references: Int64
        var version: Int64
        var card: Card
    }

    private struct State {
        var cards: [UUID: Kept] = [:]
        var hits = 0
        var built = 0
    }

    let capacity: Int
    private let state = Mutex(State())

    init(capacity: Int) {
        self.capacity = capacity
    }

    /// Cards the cache may hold, for a page cache of `pageBytes`.
    static func capacity(pageBytes: Int) -> Int { pageBytes / 4096 }

    /// The versions a visitor's card of each of `ids` depends on, in one read:
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
        // One number for them all: a card is kept only while none has changed.
        let folded = references.sorted { $0.key < $1.key }.reduce(Int64(17)) { ($0 &* 1_000_003) ^ $1.value }
        return (folded, versions)
    }

    func card(_ id: UUID, references: Int64, version: Int64) -> Card? {
        state.withLock { state in
            guard let kept = state.cards[id], kept.references == references, kept.version == version else { return nil }
            state.hits += 1
            return kept.card
        }
    }

    func keep(_ card: Card, for id: UUID, references: Int64, version: Int64) {
        state.withLock { state in
            state.built += 1
            guard capacity > 0 else { return }
            if state.cards.count >= capacity, state.cards[id] == nil { state.cards.removeAll(keepingCapacity: true) }
            state.cards[id] = Kept(references: references, version: version, card: card)
        }
    }

    var statistics: (hits: Int, built: Int, cards: Int) {
        state.withLock { ($0.hits, $0.built, $0.cards.count) }
    }
}

extension Application {
    private struct VisitorCardCacheKey: StorageKey {
        typealias Value = VisitorCardCache
    }

    var visitorCards: VisitorCardCache {
        get { storage[VisitorCardCacheKey.self] ?? VisitorCardCache(capacity: 0) }
        set { storage[VisitorCardCacheKey.self] = newValue }
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
