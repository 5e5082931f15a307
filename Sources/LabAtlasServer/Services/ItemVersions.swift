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

    /// What the detail page (or JSON) of the item of `type` called `slug`
    /// shows, as versions; nil when no item has this slug (nothing is kept).
    ///
    /// With `similarItems`, the page also shows the item's neighbours: their
    /// kept list and each neighbour's own version count; while no current list
    /// is kept, the page is ranked afresh, and the search index's write
    /// sequence (which every write moves) stands for what it ranked from.
    static func stamp(of type: ItemType, slug: String, similarItems: Bool, on sql: any SQLDatabase) async throws -> [Int64]? {
        guard TextFolding.isValidSlug(slug) else { return nil }
        var select = sql.select().column(SQLColumn("id", table: "i"))
            .column(SQLColumn("version", table: "v"))
            .from(SQLAlias(SQLIdentifier(type.table), as: SQLIdentifier("i")))
            .join(SQLAlias(SQLIdentifier(table), as: SQLIdentifier("v")), method: SQLJoinMethod.left,
                  on: SQLColumn("item_id", table: "v"), .equal, SQLColumn("id", table: "i"))
        if similarItems {
            select = select
                .column(SQLColumn("neighbours", table: "k")).column(SQLColumn("sequence", table: "k"), as: "kept_sequence")
                .column(SQLColumn("next_sequence", table: "s")).column(SQLColumn("row_count", table: "s"))
                .join(SQLAlias(SQLIdentifier(KeptSimilarItems.table), as: SQLIdentifier("k")), method: SQLJoinMethod.left,
                      on: SQLColumn("item_id", table: "k"), .equal, SQLColumn("id", table: "i"))
                .join(SQLAlias(SQLIdentifier(SearchSchema.statistics), as: SQLIdentifier("s")), method: SQLJoinMethod.left,
                      on: SQLBinaryExpression(left: SQLColumn("id", table: "s"), op: SQLBinaryOperator.equal, right: SQLLiteral.numeric("1")))
        }
        guard let row = try await select.where(SQLColumn("slug", table: "i"), .equal, SQLBind(slug)).first() else { return nil }
        var stamp = [try row.decode(column: "version", as: Int64?.self) ?? 0]
        guard similarItems else { return stamp }
        let sequence = try row.decode(column: "next_sequence", as: Int64?.self) ?? 0
        guard let kept = try row.decode(column: "neighbours", as: String?.self),
              let keptSequence = try row.decode(column: "kept_sequence", as: Int64?.self),
              KeptSimilarItems.isCurrent(keptAt: keptSequence, now: sequence, documents: try row.decode(column: "row_count", as: Int64?.self) ?? 0) else {
            // Ranked afresh at each view: from the whole index as it is now.
            return stamp + [-1, sequence]
        }
        let neighbours = kept.split(separator: ",").compactMap { UUID(uuidString: String($0)) }
        stamp.append(keptSequence)
        stamp += try await versions(of: neighbours, on: sql)
        return stamp
    }

    /// The versions of these items, in their order (0 for an item never written since migration 009).
    static func versions(of ids: [UUID], on sql: any SQLDatabase) async throws -> [Int64] {
        guard !ids.isEmpty else { return [] }
        var found: [UUID: Int64] = [:]
        for row in try await sql.select().column("item_id").column("version").from(table)
            .where("item_id", .in, SQLBind.group(ids)).all() {
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
