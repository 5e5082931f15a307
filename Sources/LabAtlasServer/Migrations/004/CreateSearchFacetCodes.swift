import Fluent
import SQLKit

/// Migration 004: the facet values of each indexed document, as small numbers.
///
/// Counting facet values among the matches of a typed search used to join
/// every match to `item_facets` through the item's UUID: two index lookups and
/// a row per facet, about 15 µs a match. `search_facet_codes` holds one short
/// row per document (its values' codes, space separated) keyed by the
/// `SearchDocID` the engines return, so a search reads one row per match and
/// counts in Swift. `search_facet_values` numbers each (type, facet, value)
/// once; a code never changes meaning.
enum Migrations004 {
    static let all: [any Migration] = [CreateSearchFacetCodes()]
}

struct CreateSearchFacetCodes: AsyncMigration {
    func prepare(on database: any Database) async throws {
        let sql = try database.sql
        let code = database.isPostgres ? "BIGSERIAL PRIMARY KEY" : "INTEGER PRIMARY KEY AUTOINCREMENT"
        try await sql.raw("""
            CREATE TABLE search_facet_values (code \(unsafeRaw: code), item_type TEXT NOT NULL,
                facet TEXT NOT NULL, value TEXT NOT NULL, UNIQUE (item_type, facet, value))
            """).run()
        // INTEGER PRIMARY KEY is the rowid on SQLite: one lookup a match.
        let key = database.isPostgres ? "BIGINT PRIMARY KEY" : "INTEGER PRIMARY KEY"
        try await sql.raw("CREATE TABLE search_facet_codes (doc_id \(unsafeRaw: key), codes TEXT NOT NULL)").run()
        // Items already indexed get their codes now, as every later save will.
        try await SearchFacetCodes(database: sql, postgres: database.isPostgres).refreshAll()
    }

    func revert(on database: any Database) async throws {
        let sql = try database.sql
        try await sql.raw("DROP TABLE IF EXISTS search_facet_codes").run()
        try await sql.raw("DROP TABLE IF EXISTS search_facet_values").run()
    }
}
