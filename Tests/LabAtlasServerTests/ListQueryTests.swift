import Foundation
import Testing
import Vapor
import Fluent
import SQLKit
@testable import LabAtlasServer
import LabAtlasCore

/// Lists read a year from the column it comes from (a session's date, an
/// experience's year) rather than from the facet rows, and may walk the date
/// order from the year on: the items, their order and their count stay those
/// the facet rows name, in every order, walked or gathered.
@Suite struct ListQueryTests {
    @Test func aYearListsTheItemsItsFacetRowsName() async throws {
        try await withApp { app in
            _ = try await SyntheticAtlasLoader(database: app.db, corpus: SyntheticCorpus(generalWords: []), seed: 11).load(count: 300)
            let sql = try app.db.sql
            for (type, other) in [(ItemType.sessions, "nature"), (.experiences, "cooperation")] {
                let year = try #require(try await Self.commonest("year", of: type, on: sql))
                let value = try #require(try await Self.commonest(other, of: type, on: sql))
                for sort in ListSort.options(for: type) {
                    for filters in [["year": year], ["year": year, other: value]] {
                        var query = ListQuery(type: type, reader: .anonymous)
                        query.sort = sort
                        query.filters = filters
                        let expected = try await Self.fromFacetRows(query, on: sql)
                        #expect(expected.count > 0, "\(type) \(filters)")
                        // Walks are SQLite's (`INDEXED BY`); PostgreSQL's planner chooses for itself.
                        for walk in app.db.isPostgres ? [false] : [true, false] {
                            let listed = try await query.ids(offset: 0, limit: 1000, walk: walk, on: app.db)
                            #expect(listed == expected, "\(type) \(filters) sorted by \(sort.key), walked: \(walk)")
                            let page = try await query.ids(offset: 2, limit: 3, walk: walk, on: app.db)
                            #expect(page == Array(expected.dropFirst(2).prefix(3)))
                        }
                        #expect(try await query.count(on: app.db) == expected.count)
                    }
                }
                // What is no year reads the facet rows, and finds nothing.
                for notAYear in ["20x4", "0000", "+202", "99999", ""] {
                    var query = ListQuery(type: type, reader: .anonymous)
                    query.filters["year"] = notAYear
                    #expect(try await query.ids(offset: 0, limit: 10, on: app.db).isEmpty)
                    #expect(try await query.count(on: app.db) == 0)
                }
            }
            // The page shows the year's items.
            let year = try #require(try await Self.commonest("year", of: .sessions, on: sql))
            let page = try await app.get("/sessions?year=\(year)")
            #expect(page.status == .ok)
            #expect(page.body.contains("Année : \(year)"))
        }
    }

    static func commonest(_ facet: String, of type: ItemType, on sql: any SQLDatabase) async throws -> String? {
        try await sql.raw("""
            SELECT value FROM item_facets WHERE item_type = \(bind: type.rawValue) AND facet = \(bind: facet)
            GROUP BY value ORDER BY COUNT(*) DESC, value LIMIT 1
            """).first()?.decode(column: "value", as: String.self)
    }

    /// The visitor's items holding every filtered value in the facet rows, in the list's order.
    static func fromFacetRows(_ query: ListQuery, on sql: any SQLDatabase) async throws -> [UUID] {
        var select = sql.select().column("id").from(query.type.table)
            .where("visibility", .equal, SQLBind("public")).where(SQLColumn("deleted_at"), .is, SQLLiteral.null)
        for (facet, value) in query.filters {
            select = select.where(SQLQueryString("""
                id IN (SELECT item_id FROM item_facets WHERE item_type = \(bind: query.type.rawValue) AND facet = \(bind: facet) AND value = \(bind: value))
                """))
        }
        return try await query.sort.apply(to: select, now: query.now).all().map { try $0.decode(column: "id", as: UUID.self) }
    }
}
