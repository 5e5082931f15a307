import Fluent
import SQLKit

/// Migration 003: the full-text search index.
///
/// `search_docs` holds one row per live item: what results list (type, slug,
/// title) and what visibility needs (`id`, `visibility`, `deleted_at`, named
/// as on the item tables so `Reader.visibilityPredicate` applies unchanged);
/// `search_texts` what the index was built from (analyzed terms per column)
/// and the plain text snippets are cut from.
/// SQLite indexes the terms with FTS5; PostgreSQL with a `tsvector` and GIN.
enum Migrations003 {
    static let all: [any Migration] = [CreateSearchIndex()]
}

struct CreateSearchIndex: AsyncMigration {
    func prepare(on database: any Database) async throws {
        // Narrow rows for matching, counting and visibility; the long texts apart,
        // read only for the page of results and the candidates to rank.
        try await database.schema(SearchSchema.documents)
            .field("doc_id", .int64, .identifier(auto: true))
            .field("item_type", .string, .required)
            .field("id", .uuid, .required).unique(on: "id")
            .field("slug", .string, .required)
            .field("title", .string, .required)
            .field("visibility", .string, .required)
            .field("deleted_at", .datetime)
            .field("term_count", .int, .required)
            .create()
        try await database.schema(SearchSchema.texts)
            .field("doc_id", .int64, .identifier(auto: false))
            .field("body_text", .string, .required)
            .field("terms_title", .string, .required)
            .field("terms_body", .string, .required)
            .create()
        // Byte order on PostgreSQL too, whatever the database's collation, so a
        // prefix is a range: ">= 'numer' AND < 'numer' || U+10FFFF".
        try await database.schema(SearchSchema.terms)
            .field("term", database.isPostgres ? .custom(SQLRaw("TEXT COLLATE \"C\"")) : .string, .identifier(auto: false))
            .create()
        let sql = try database.sql
        if database.isPostgres {
            try await sql.raw("ALTER TABLE search_docs ADD COLUMN tsv tsvector NOT NULL").run()
            try await sql.raw("ALTER TABLE search_docs ADD COLUMN title_tsv tsvector NOT NULL").run()
            // Keep heap rows small: counting visits one row per match, the tsvector rarely.
            try await sql.raw("ALTER TABLE search_docs SET (toast_tuple_target = 128)").run()
            try await sql.raw("CREATE INDEX search_docs_tsv ON search_docs USING GIN (tsv)").run()
            // FTS5 keeps the index's row and token totals itself; BM25 on PostgreSQL reads them here.
            try await sql.raw("CREATE TABLE search_stats (id INTEGER PRIMARY KEY, row_count BIGINT NOT NULL, token_count BIGINT NOT NULL)").run()
            try await sql.raw("INSERT INTO search_stats (id, row_count, token_count) VALUES (1, 0, 0)").run()
        } else {
            // External content: the terms live once, in search_texts; 'ascii' splits
            // the stored terms on spaces only, since they are already analyzed.
            try await sql.raw("""
                CREATE VIRTUAL TABLE search_fts USING fts5(terms_title, terms_body,
                    content='search_texts', content_rowid='doc_id', tokenize='ascii')
                """).run()
            try await sql.raw("CREATE VIRTUAL TABLE search_vocab USING fts5vocab(search_fts, row)").run()
        }
    }

    func revert(on database: any Database) async throws {
        let sql = try database.sql
        if database.isPostgres {
            try await sql.raw("DROP TABLE IF EXISTS search_stats").run()
        } else {
            try await sql.raw("DROP TABLE IF EXISTS search_vocab").run()
            try await sql.raw("DROP TABLE IF EXISTS search_fts").run()
        }
        try await database.schema(SearchSchema.terms).delete()
        try await database.schema(SearchSchema.texts).delete()
        try await database.schema(SearchSchema.documents).delete()
    }
}

enum SearchSchema {
    static let documents = "search_docs"
    static let texts = "search_texts"
    static let terms = "search_terms"
}
