import Fluent
import Foundation
import LabAtlasCore

/// Rewrites the derived facet rows of items after a save.
struct FacetIndexer {
    let database: any Database

    func rebuild<K: ItemKind>(_ kind: K.Type, ids: [UUID]) async throws {
        guard !ids.isEmpty else { return }
        // Facet values are stored whatever the visibility of what they point at;
        // readers only ever count and label values they may see.
        let resolver = LinkResolver(database: database, reader: .system)
        let links = try await resolver.outgoing(from: ids)
        let models = try await K.M.query(on: database).filter(\._$id ~~ ids).all()
        try await write(kind, models: models, links: links, new: false)
        // Searches count facet values from the index's copy: it changes with them.
        try await SearchFacetCodes(database: try database.sql, postgres: database.isPostgres).refresh(itemIDs: ids)
    }

    /// The facet rows of `models`, as saved, whose outgoing links (read by the
    /// system) are `links`; `new`: they have none yet. The search index's copy
    /// is the caller's to refresh (indexing a document refreshes it).
    func write<K: ItemKind>(_ kind: K.Type, models: [K.M], links: [UUID: ResolvedLinks], new: Bool) async throws {
        // Only the rows that change are written: each write of a facet row
        // updates the kept counts of its pairs (migration 005).
        var stale: [UUID] = []
        var current: [UUID: [String: UUID]] = [:]  // item -> value key -> row
        let ids = try models.map { try $0.requiredID }
        for row in new ? [] : try await ItemFacet.query(on: database).filter(\.$itemID ~~ ids).all() {
            guard let rowID = row.id else { continue }
            let key = row.facet + "\u{0}" + row.value
            if current[row.itemID]?[key] != nil { stale.append(rowID) } else { current[row.itemID, default: [:]][key] = rowID }
        }
        var added: [ItemFacet] = []
        for model in models {
            let id = try model.requiredID
            var wanted = Set<String>()
            for (facet, value) in K.facetValues(of: model, links: links[id] ?? ResolvedLinks())
            where wanted.insert(facet + "\u{0}" + value).inserted {
                if current[id]?.removeValue(forKey: facet + "\u{0}" + value) == nil {
                    added.append(ItemFacet(itemType: K.type, itemID: id, facet: facet, value: value))
                }
            }
        }
        // What is left: values an item no longer holds, rows of items no longer there.
        stale += current.values.flatMap(\.values)
        for start in stride(from: 0, to: stale.count, by: 500) {
            try await ItemFacet.query(on: database).filter(\.$id ~~ Array(stale[start..<min(start + 500, stale.count)])).delete()
        }
        try await added.insert(on: try database.sql)
    }

    /// Items linked to a lab file its region: refresh them when the lab changes.
    func rebuildDependents(ofLab labID: UUID) async throws {
        let links = try await ItemLink.query(on: database).filter(\.$targetID == labID).all()
        for (type, group) in Dictionary(grouping: links, by: \.sourceType) {
            try await rebuild(type.kind, ids: group.map(\.sourceID))
        }
    }

    func rebuildAll() async throws {
        for type in ItemType.allCases {
            try await rebuildEvery(type.kind)
        }
    }

    private func rebuildEvery<K: ItemKind>(_ kind: K.Type) async throws {
        let ids = try await K.M.query(on: database).all(\._$id).compactMap { $0 }
        try await rebuild(kind, ids: ids)
    }
}
