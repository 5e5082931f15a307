import Foundation
import SQLKit
import LabAtlasCore

/// The counts the database keeps in `item_counts` (migration 005): live items
/// per type and per facet value, by visibility. They answer the counts of a
/// reader whose visibility is a set of visibilities — a visitor sees `public`,
/// an administrator all three — without reading the items.
struct ItemCounts {
    let database: any SQLDatabase

    /// The visibilities a reader sees whole, or nil when what they see depends
    /// on memberships (a signed-in member: the counts must read the items).
    static func visibilities(of reader: Reader) -> [Visibility]? {
        if reader.seesEverything { return Visibility.allCases }
        return reader.isSignedIn ? nil : [.public]
    }

    /// Live items of `type` in `visibilities`; with a facet value, those holding it.
    func count(_ type: ItemType, facet: String = "", value: String = "", visibilities: [Visibility]) async throws -> Int {
        let row = try await database.select()
            .column(SQLRaw("CAST(COALESCE(SUM(n), 0) AS BIGINT)"), as: "n")
            .from("item_counts")
            .where("item_type", .equal, SQLBind(type.rawValue))
            .where("facet", .equal, SQLBind(facet))
            .where("value", .equal, SQLBind(value))
            .where("visibility", .in, SQLBind.group(visibilities.map(\.rawValue)))
            .first()
        return try row?.decode(column: "n", as: Int.self) ?? 0
    }

    /// For each of `facets`, its values held by live items of `type` in `visibilities`, and how many.
    func values(_ type: ItemType, facets: Set<String>, visibilities: [Visibility]) async throws -> [String: [String: Int]] {
        guard !facets.isEmpty else { return [:] }
        let rows = try await database.select()
            // SUM of a BIGINT is a NUMERIC on PostgreSQL.
            .column("facet").column("value").column(SQLRaw("CAST(SUM(n) AS BIGINT)"), as: "n")
            .from("item_counts")
            .where("item_type", .equal, SQLBind(type.rawValue))
            .where("facet", .in, SQLBind.group(Array(facets)))
            .where("visibility", .in, SQLBind.group(visibilities.map(\.rawValue)))
            .groupBy("facet").groupBy("value")
            .all()
        var result: [String: [String: Int]] = [:]
        for row in rows {
            let count = try row.decode(column: "n", as: Int.self)
            guard count > 0 else { continue }
            result[try row.decode(column: "facet", as: String.self), default: [:]][try row.decode(column: "value", as: String.self)] = count
        }
        return result
    }

    /// Every count from the items themselves: what the triggers keep, from scratch.
    static func recount(on database: any SQLDatabase) async throws {
        try await database.raw("DELETE FROM item_counts").run()
        for type in ItemType.allCases {
            try await database.raw("""
                INSERT INTO item_counts (item_type, facet, value, visibility, n)
                SELECT \(bind: type.rawValue), '', '', visibility, COUNT(*) FROM \(ident: type.table)
                WHERE deleted_at IS NULL GROUP BY visibility
                """).run()
            try await database.raw("""
                INSERT INTO item_counts (item_type, facet, value, visibility, n)
                SELECT f.item_type, f.facet, f.value, i.visibility, COUNT(*) FROM item_facets f
                JOIN \(ident: type.table) i ON i.id = f.item_id
                WHERE f.item_type = \(bind: type.rawValue) AND i.deleted_at IS NULL
                GROUP BY f.item_type, f.facet, f.value, i.visibility
                """).run()
        }
    }
}
