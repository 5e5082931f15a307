import Fluent
import SQLKit

/// Migration 003: the full-text search index.
///
/// `search_docs` holds one row per live item: what results list (type, slug,
/// title) and what visibility needs (`id`, `visibility`, `deleted_at`, named
/// as on the item tables so `Reader.visibilityPredicate` applies unchanged).
/// Its `doc_id` is a `SearchDocID`: type and visibility are ranges of it.
/// `search_texts` holds what the index was built from (analyzed terms per
/// column) and the plain text snippets are cut from; `search_terms` every
/// indexed term with the number of documents holding it (ranking, suggestions);
/// `search_stats` the index's totals and the next sequence number. Ranking
/// reads only these shared tables, so both databases rank alike.
/// SQLite matches with FTS5; PostgreSQL with a `tsvector` and GIN.
enum Migrations003 {
    static let all: [any Migration] = [CreateSearchIndex()]
}

struct CreateSearchIndex: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(SearchSchema.documents)
            .field("doc_id", .int64, .identifier(auto: false))
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
            .field("doc_count", .int64, .required)
            .create()
        try await database.schema(SearchSchema.statistics)
            .field("id", .int, .identifier(auto: false))
            .field("row_count", .int64, .required)
            .field("token_count", .int64, .required)
            .field("next_sequence", .int64, .required)
            .create()
        let sql = try database.sql
        try await sql.insert(into: SearchSchema.statistics).columns("id", "row_count", "token_count", "next_sequence")
            .values(SQLBind(1), SQLBind(0), SQLBind(0), SQLBind(1)).run()
        if database.isPostgres {
            try await sql.raw("ALTER TABLE search_docs ADD COLUMN tsv tsvector NOT NULL").run()
            try await sql.raw("ALTER TABLE search_docs ADD COLUMN title_tsv tsvector NOT NULL").run()
            for (name, column) in SearchSchema.postgresTextIndexes {
                try await sql.raw("CREATE INDEX \(ident: name) ON search_docs USING GIN (\(ident: column))").run()
            }
        } else {
            // External content: the terms live once, in search_texts; 'ascii' splits
            // the stored terms on spaces only, since they are already analyzed.
            try await sql.raw("""
                CREATE VIRTUAL TABLE search_fts USING fts5(terms_title, terms_body,
                    content='search_texts', content_rowid='doc_id', tokenize='ascii')
                """).run()
        }
    }

    func revert(on database: any Database) async throws {
        let sql = try database.sql
        if !database.isPostgres {
            try await sql.raw("DROP TABLE IF EXISTS search_fts").run()
        }
        try await database.schema(SearchSchema.statistics).delete()
        try await database.schema(SearchSchema.terms).delete()
        try await database.schema(SearchSchema.texts).delete()
        try await database.schema(SearchSchema.documents).delete()
    }
}

enum SearchSchema {
    static let documents = "search_docs"
    static let texts = "search_texts"
    static let terms = "search_terms"
    static let statistics = "search_stats"
    /// PostgreSQL's GIN indexes (name, column); a bulk load may drop and rebuild them.
    static let postgresTextIndexes = [("search_docs_tsv", "tsv"), ("search_docs_title_tsv", "title_tsv")]
}
