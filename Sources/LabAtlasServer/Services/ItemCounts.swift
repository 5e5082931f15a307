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

    /// How many filters the kept counts can answer together: none, one value, or two values of two facets.
    static func holds(_ filters: [String: String]) -> Bool {
        filters.count <= 2 && filters["when"] == nil
    }

    /// Live items of `type` in `visibilities` holding every value of `filters` (`holds(filters)`).
    func count(_ type: ItemType, filters: [String: String] = [:], visibilities: [Visibility]) async throws -> Int {
        try await counts([(type, filters)], visibilities: visibilities).first ?? 0
    }

    /// Several counts of `count(_:filters:visibilities:)` in one statement, in the order asked.
    func counts(_ lists: [(type: ItemType, filters: [String: String])], visibilities: [Visibility]) async throws -> [Int] {
        try await counts(lists.map { ($0.type, $0.filters, visibilities) })
    }

    /// Several counts, each in its own visibilities, in one statement, in the order asked.
    func counts(_ lists: [(type: ItemType, filters: [String: String], visibilities: [Visibility])]) async throws -> [Int] {
        guard !lists.isEmpty else { return [] }
        let parts = lists.enumerated().map { index, list -> SQLQueryString in
            let given = list.filters.sorted { $0.key < $1.key }
            let first = given.first, second = given.dropFirst().first
            return """
                SELECT \(literal: index) AS k, CAST(COALESCE(SUM(n), 0) AS BIGINT) AS n FROM item_counts
                WHERE item_type = \(bind: list.type.rawValue) AND facet = \(bind: first?.key ?? "") AND value = \(bind: first?.value ?? "")
                AND facet2 = \(bind: second?.key ?? "") AND value2 = \(bind: second?.value ?? "")
                AND visibility IN (\(binds: list.visibilities.map(\.rawValue)))
                """
        }
        var counts = Array(repeating: 0, count: lists.count)
        for row in try await database.raw(parts.joined(separator: " UNION ALL ")).all() {
            let index = try row.decode(column: "k", as: Int.self)
            if counts.indices.contains(index) { counts[index] = try row.decode(column: "n", as: Int.self) }
        }
        return counts
    }

    /// For each of `facets`, its values held by live items of `type` in
    /// `visibilities` — among those holding `given`, when there is one — and how many.
    func values(_ type: ItemType, facets: Set<String>, given: (facet: String, value: String)? = nil,
                visibilities: [Visibility]) async throws -> [String: [String: Int]] {
        guard !facets.isEmpty else { return [:] }
        // A value has one row a visibility: a reader of one visibility (a
        // visitor) reads the rows as they are, with no sum to gather them by
        // value (half the time of a list page's counts at 100,000 items).
        // SUM of a BIGINT is a NUMERIC on PostgreSQL.
        let single = visibilities.count == 1
        var summed = rows(type, given: given, visibilities: visibilities, database.select().column("facet").column("value")
                .column(single ? SQLIdentifier("n") : SQLRaw("CAST(SUM(n) AS BIGINT)"), as: "n"))
            .where("facet", .in, SQLBind.group(facets.sorted()))
        if !single { summed = summed.groupBy("facet").groupBy("value") }
        // One row a facet, values and counts packed: a lab facet has a thousand
        // values, and handing each to Swift as a row took most of a list page's counts.
        let postgres = database.isPostgresDialect
        let packed = postgres
            ? "CAST(json_agg(value ORDER BY value) AS TEXT) AS \"values\", string_agg(CAST(n AS TEXT), ',' ORDER BY value) AS counts"
            : "json_group_array(value) AS \"values\", group_concat(n) AS counts"
        let found = try await database.select().column("facet").column(SQLRaw(packed))
            .from(SQLAlias(SQLGroupExpression(summed.select), as: SQLIdentifier("c")))
            .groupBy("facet")
            .all()
        var result: [String: [String: Int]] = [:]
        for row in found {
            let facet = try row.decode(column: "facet", as: String.self)
            let counts = PackedFields.integers(try row.decode(column: "counts", as: String.self))
            guard let values = PackedFields.jsonStrings(try row.decode(column: "values", as: String.self)), values.count == counts.count
            else { throw ItemCountsError.malformedValues(facet) }
            var byValue: [String: Int] = [:]
            byValue.reserveCapacity(values.count)
            for (value, count) in zip(values, counts) where count > 0 { byValue[value] = Int(count) }
            if !byValue.isEmpty { result[facet] = byValue }
        }
        return result
    }

    /// The rows of `type` under `given` (none: the single values) in `visibilities`.
    private func rows(_ type: ItemType, given: (facet: String, value: String)?, visibilities: [Visibility],
                      _ select: SQLSelectBuilder) -> SQLSelectBuilder {
        select.from("item_counts")
            .where("item_type", .equal, SQLBind(type.rawValue))
            .where("facet2", .equal, SQLBind(given?.facet ?? "")).where("value2", .equal, SQLBind(given?.value ?? ""))
            .where("visibility", .in, SQLBind.group(visibilities.map(\.rawValue)))
    }

    /// Every count from the items themselves: what the triggers keep, from scratch.
    static func recount(on database: any SQLDatabase) async throws {
        try await database.raw("DELETE FROM item_counts").run()
        for type in ItemType.allCases {
            try await database.raw("""
                INSERT INTO item_counts (item_type, facet, value, facet2, value2, visibility, n)
                SELECT \(bind: type.rawValue), '', '', '', '', visibility, COUNT(*) FROM \(ident: type.table)
                WHERE deleted_at IS NULL GROUP BY visibility
                """).run()
            try await database.raw("""
                INSERT INTO item_counts (item_type, facet, value, facet2, value2, visibility, n)
                SELECT f.item_type, f.facet, f.value, '', '', i.visibility, COUNT(*) FROM item_facets f
                JOIN \(ident: type.table) i ON i.id = f.item_id
                WHERE f.item_type = \(bind: type.rawValue) AND i.deleted_at IS NULL
                GROUP BY f.item_type, f.facet, f.value, i.visibility
                """).run()
            try await database.raw("""
                INSERT INTO item_counts (item_type, facet, value, facet2, value2, visibility, n)
                SELECT a.item_type, a.facet, a.value, b.facet, b.value, i.visibility, COUNT(*) FROM item_facets a
                JOIN item_facets b ON b.item_id = a.item_id AND b.facet <> a.facet
                JOIN \(ident: type.table) i ON i.id = a.item_id
                WHERE a.item_type = \(bind: type.rawValue) AND i.deleted_at IS NULL
                GROUP BY a.item_type, a.facet, a.value, b.facet, b.value, i.visibility
                """).run()
        }
    }
}

enum ItemCountsError: Error, CustomStringConvertible {
    case malformedValues(String)

    var description: String {
        switch self {
        case .malformedValues(let facet): "item_counts: the values and counts of \(facet) read back do not pair up"
        }
    }
}
