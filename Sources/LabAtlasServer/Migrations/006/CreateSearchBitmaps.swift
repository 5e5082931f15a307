import Fluent
import SQLKit

/// Migration 006: PostgreSQL's posting lists, `search_bitmaps` (see
/// `PostgresPostings`). A GIN index answers no count by itself, and counting
/// the matches of a common word visited one heap page per match: over 100 ms
/// at 500,000 documents. SQLite's FTS5 counts from its own posting lists and
/// needs nothing here.
///
/// The containers are stored uncompressed (`STORAGE EXTERNAL`): a search reads
/// them whole, and a dense one (a bit a document) would hardly compress.
enum Migrations006 {
    static let all: [any Migration] = [CreateSearchBitmaps()]
}

struct CreateSearchBitmaps: AsyncMigration {
    func prepare(on database: any Database) async throws {
        guard database.isPostgres else { return }
        let sql = try database.sql
        try await sql.raw("""
            CREATE TABLE search_bitmaps (key TEXT COLLATE "C" NOT NULL, scope BIGINT NOT NULL, chunk BIGINT NOT NULL,
                bits BYTEA NOT NULL, PRIMARY KEY (key, scope, chunk))
            """).run()
        try await sql.raw("ALTER TABLE search_bitmaps ALTER COLUMN bits SET STORAGE EXTERNAL").run()
        // Documents already indexed get their sets now, as every later save will.
        try await PostgresPostings(database: sql).rebuild()
    }

    func revert(on database: any Database) async throws {
        guard database.isPostgres else { return }
        try await database.sql.raw("DROP TABLE IF EXISTS search_bitmaps").run()
    }
}
