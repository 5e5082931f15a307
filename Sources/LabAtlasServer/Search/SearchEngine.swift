import Fluent
import Foundation
import SQLKit
import LabAtlasCore

/// One result of the engine, before snippets.
struct SearchHit: Sendable {
    var docID: Int64
    var id: UUID
    var type: ItemType
    var slug: String
    var title: String
    var bodyText: String
}

/// What differs between SQLite FTS5 and PostgreSQL full-text search: how the
/// index is written, how a query matches, how matches are ranked. Everything
/// else (visibility, filters, counts, snippets) is shared SQL in `SearchService`.
protocol SearchEngine: Sendable {
    /// Writes or rewrites documents, in the caller's transaction.
    func upsert(_ documents: [SearchDocument], on database: any SQLDatabase) async throws
    /// Appends documents known to be absent (a rebuild, a bulk load): faster.
    func insertNew(_ documents: [SearchDocument], on database: any SQLDatabase) async throws
    func remove(ids: [UUID], on database: any SQLDatabase) async throws
    func removeAll(on database: any SQLDatabase) async throws
    /// `SELECT … FROM` the documents (aliased `d`) that match `query`.
    func matching(_ query: SearchQuery, _ select: SQLSelectBuilder) -> SQLSelectBuilder
    /// The ranked page of `restrict`ed matches: BM25, ties by document order.
    func rankedPage(_ query: SearchQuery, restrict: @Sendable (SQLSelectBuilder) -> SQLSelectBuilder,
                    offset: Int, limit: Int, on database: any SQLDatabase) async throws -> [SearchHit]
    /// How many documents hold each term, and how many documents there are.
    func documentFrequencies(_ terms: [String], on database: any SQLDatabase) async throws -> (frequencies: [String: Int], rows: Int)
}

extension Database {
    var searchEngine: any SearchEngine { isPostgres ? PostgresSearchEngine() : SQLiteSearchEngine() }
}

enum SearchColumns {
    static let hit = ["doc_id", "id", "item_type", "slug", "title"]

    /// A hit without its text; `withTexts` adds it.
    static func decodeHit(_ row: any SQLRow) throws -> SearchHit {
        SearchHit(docID: try row.decode(column: "doc_id", as: Int64.self),
                  id: try row.decode(column: "id", as: UUID.self),
                  type: ItemType(rawValue: try row.decode(column: "item_type", as: String.self)) ?? .labs,
                  slug: try row.decode(column: "slug", as: String.self),
                  title: try row.decode(column: "title", as: String.self),
                  bodyText: "")
    }

    static func select(_ builder: SQLSelectBuilder) -> SQLSelectBuilder {
        hit.reduce(builder) { $0.column(SQLColumn($1, table: "d")) }
    }

    /// The plain texts of a page of hits, read only for that page.
    static func withTexts(_ hits: [SearchHit], on database: any SQLDatabase) async throws -> [SearchHit] {
        guard !hits.isEmpty else { return hits }
        let rows = try await database.select().column("doc_id").column("body_text").from(SearchSchema.texts)
            .where("doc_id", .in, SQLBind.group(hits.map(\.docID))).all()
        var texts: [Int64: String] = [:]
        for row in rows { texts[try row.decode(column: "doc_id", as: Int64.self)] = try row.decode(column: "body_text", as: String.self) }
        return hits.map { hit in
            var hit = hit
            hit.bodyText = texts[hit.docID] ?? ""
            return hit
        }
    }

    static let documentColumns = ["item_type", "id", "slug", "title", "visibility", "term_count"]

    static func documentValues(_ document: SearchDocument) -> [any SQLExpression] {
        [SQLBind(document.type.rawValue), SQLBind(document.id), SQLBind(document.slug), SQLBind(document.title),
         SQLBind(document.visibility.rawValue), SQLBind(document.termCount)]
    }

    static let textColumns = ["doc_id", "body_text", "terms_title", "terms_body"]

    static func textValues(_ docID: Int64, _ document: SearchDocument) -> [any SQLExpression] {
        [SQLBind(docID), SQLBind(document.bodyText), SQLBind(document.storedTitleTerms), SQLBind(document.storedBodyTerms)]
    }

    static func updateText(_ docID: Int64, _ document: SearchDocument, on database: any SQLDatabase) async throws {
        try await database.update(SearchSchema.texts)
            .set("body_text", to: SQLBind(document.bodyText))
            .set("terms_title", to: SQLBind(document.storedTitleTerms))
            .set("terms_body", to: SQLBind(document.storedBodyTerms))
            .where("doc_id", .equal, SQLBind(docID)).run()
    }

    /// Records every term seen, for spelling suggestions.
    static func recordTerms(of documents: [SearchDocument], on database: any SQLDatabase) async throws {
        let terms = Array(documents.reduce(into: Set<String>()) { $0.formUnion($1.distinctTerms) }).sorted()
        for chunk in stride(from: 0, to: terms.count, by: 500).map({ Array(terms[$0..<min($0 + 500, terms.count)]) }) {
            try await database.insert(into: SearchSchema.terms).columns("term")
                .valueRows(chunk.map { [SQLBind($0)] as [any SQLExpression] })
                .ignoringConflicts()
                .run()
        }
    }
}

extension SQLInsertBuilder {
    /// Several rows at once.
    func valueRows(_ rows: [[any SQLExpression]]) -> Self {
        rows.reduce(self) { $0.values($1) }
    }
}
