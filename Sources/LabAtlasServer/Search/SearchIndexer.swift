import Fluent
import Foundation
import LabAtlasCore

/// Keeps the search index in step with the items: called inside each save's
/// transaction, so the index never shows a state the database does not hold.
struct SearchIndexer {
    let database: any Database

    /// Indexes the live items among `ids` and drops the others (deleted or gone).
    func reindex<K: ItemKind>(_ kind: K.Type, ids: [UUID]) async throws {
        guard !ids.isEmpty else { return }
        let models = try await K.M.query(on: database).filter(\._$id ~~ ids).all()
        let documents = try models.map { try SearchDocument(K.self, $0) }
        let live = Set(documents.map(\.id))
        let store = try SearchIndexStore(database: database)
        try await store.remove(ids: ids.filter { !live.contains($0) })
        try await store.upsert(documents)
    }

    /// Indexes one item as just saved; `new`: it has never been indexed.
    func index<K: ItemKind>(_ kind: K.Type, _ model: K.M, new: Bool) async throws {
        let store = try SearchIndexStore(database: database)
        guard model.deletedAt == nil else { return try await store.remove(ids: [try model.requiredID]) }
        let document = try SearchDocument(K.self, model)
        if new { try await store.insertNew([document]) } else { try await store.upsert([document]) }
    }

    /// Rebuilds the whole index from the items (`labatlas reindex`); returns how many were indexed.
    @discardableResult
    func rebuildAll() async throws -> Int {
        let store = try SearchIndexStore(database: database, keepsPostings: false)
        try await store.removeAll()
        var count = 0
        for type in ItemType.allCases {
            count += try await indexEvery(type.kind)
        }
        try await store.rebuildPostings()
        return count
    }

    private func indexEvery<K: ItemKind>(_ kind: K.Type) async throws -> Int {
        let store = try SearchIndexStore(database: database, keepsPostings: false)
        var count = 0
        var lastID: UUID?
        // In id order and by chunks: a large atlas is never held in memory at once.
        while true {
            var query = K.M.query(on: database).sort(\._$id).limit(1_000)
            if let lastID { query = query.filter(\._$id > lastID) }
            let models = try await query.all()
            guard let last = models.last else { break }
            try await store.insertNew(try models.map { try SearchDocument(K.self, $0) })
            count += models.count
            lastID = try last.requiredID
        }
        return count
    }
}
