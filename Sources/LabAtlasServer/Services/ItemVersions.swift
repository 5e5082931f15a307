import Fluent
import Foundation
import SQLKit
import LabAtlasCore

/// The versions of single items (`item_versions`, migration 009), which name
/// what an item's detail page and JSON show of it and of the items linked to
/// it; with the versions of every type's references (`ContentVersions`), they
/// stamp a kept detail page (`VisitorPageCache`).
enum ItemVersions {
    static let table = "item_versions"

    /// Every type's versions (`ContentVersions`) and what the detail page (or
    /// JSON) of the item of `type` called `slug` shows, as versions, read in
    /// one statement; `item` is nil when no item has this slug (nothing is kept).
    ///
    /// With `similarItems`, the page also shows the item's neighbours: their
    /// kept list and each neighbour's own version count; while no list is
    /// kept, the page is ranked afresh, and the search index's write sequence
    /// (which every write moves) stands for what it ranked from. A kept list
    /// out of date is shown until it is ranked again: `rankAgain` names its item.
    static func read(_ type: ItemType, slug: String, similarItems: Bool, on sql: any SQLDatabase) async throws
        -> (versions: [ContentVersions.Part: Int64], item: [Int64]?, rankAgain: UUID?) {
        guard TextFolding.isValidSlug(slug) else { return (try await ContentVersions.read(on: sql), nil, nil) }
        let similar: (columns: String, joins: String) = similarItems ? (
            ", k.neighbours, k.sequence AS kept_sequence, s.next_sequence, s.row_count",
            " LEFT JOIN \(KeptSimilarItems.table) k ON k.item_id = i.id LEFT JOIN \(SearchSchema.statistics) s ON s.id = 1") : ("", "")
        let rows = try await sql.raw("""
            SELECT \(unsafeRaw: ContentVersions.columns), i.id AS item_id, v.version AS item_version\(unsafeRaw: similar.columns)
            FROM \(unsafeRaw: ContentVersions.table) c
            LEFT JOIN \(unsafeRaw: type.table) i ON i.slug = \(bind: slug)
            LEFT JOIN \(unsafeRaw: table) v ON v.item_id = i.id\(unsafeRaw: similar.joins)
            """).all()
        let versions = try ContentVersions.versions(in: rows)
        guard let row = rows.first, let itemID = try row.decode(column: "item_id", as: UUID?.self) else { return (versions, nil, nil) }
        var stamp = [try row.decode(column: "item_version", as: Int64?.self) ?? 0]
        guard similarItems else { return (versions, stamp, nil) }
        let sequence = try row.decode(column: "next_sequence", as: Int64?.self) ?? 0
        guard let kept = try KeptSimilarItems.kept(in: row, item: itemID) else {
            // Ranked afresh at each view: from the whole index as it is now.
            return (versions, stamp + [-1, sequence], nil)
        }
        stamp.append(kept.sequence)
        stamp += try await Self.versions(of: kept.neighbours, on: sql)
        return (versions, stamp, kept.isCurrent ? nil : itemID)
    }

    /// The versions of these items, in their order (0 for an item never written since migration 009).
    static func versions(of ids: [UUID], on sql: any SQLDatabase) async throws -> [Int64] {
        guard !ids.isEmpty else { return [] }
        var found: [UUID: Int64] = [:]
        for row in try await sql.raw("SELECT item_id, version FROM \(unsafeRaw: table) WHERE item_id IN (\(binds: ids))").all() {
            found[try row.decode(column: "item_id", as: UUID.self)] = try row.decode(column: "version", as: Int64.self)
        }
        return ids.map { found[$0] ?? 0 }
    }
}

extension ItemType {
    /// Detail pages and JSON items show, besides what the item's version
    /// covers, what other items' pages show of the items linked to it (names,
    /// visibility, a lab's region), and similar items of any type: the
    /// references of every type.
    static var referencesOfEveryType: Set<ContentVersions.Part> { Set(allCases.map(ContentVersions.Part.references)) }

    /// Labs, projects and experiences show their similar items.
    var showsSimilarItems: Bool { [.labs, .projects, .experiences].contains(self) }
}
