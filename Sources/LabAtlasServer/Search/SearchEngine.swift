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

/// A part of the index a search reads: a `SearchDocID` range (one type, some
/// visibilities) and, when the range alone does not decide, a condition on the
/// documents (aliased `d`): the reader's visibility rule, facet filters.
struct SearchScope: Sendable {
    var range: ClosedRange<Int64>
    var restriction: (any SQLExpression)?
    /// The same part as types, visibilities and facet values, when nothing else
    /// restricts it: what an engine keeping posting lists can answer alone.
    var postings: PostingScope? = nil
}

/// A document as stored: what its index entries must be removed with.
struct StoredSearchDocument: Sendable {
    var docID: Int64
    var termsTitle: String
    var termsBody: String
    var termCount: Int
}

/// What differs between SQLite FTS5 and PostgreSQL full-text search: how a
/// document's matching entries are written and removed, and how a query is
/// matched, counted and walked. Everything else (the shared tables, ranking,
/// visibility, snippets) is the same code on both, in `SearchIndexStore` and
/// `SearchService`.
protocol SearchEngine: Sendable {
    /// Writes `search_docs` rows and the matching index entries.
    func insertDocuments(_ rows: [(docID: Int64, document: SearchDocument)], on database: any SQLDatabase) async throws
    /// Removes the matching index entries of documents about to be deleted.
    func removeMatchingEntries(_ documents: [StoredSearchDocument], on database: any SQLDatabase) async throws
    func removeAllMatchingEntries(on database: any SQLDatabase) async throws
    /// Compacts the matching index after a bulk write (outside any transaction).
    func compact(on database: any SQLDatabase) async throws
    /// How many documents of `scope` match.
    func count(_ query: SearchQuery, in scope: SearchScope, on database: any SQLDatabase) async throws -> Int
    /// The `limit` most recently indexed matches of `scope`, newest first;
    /// `titleOnly` keeps those with an included clause in the title.
    func newest(_ query: SearchQuery, in scope: SearchScope, titleOnly: Bool, limit: Int,
                on database: any SQLDatabase) async throws -> [Int64]
    /// How many documents of each scope match, in one go where the engine can.
    func counts(_ query: SearchQuery, in scopes: [SearchScope], on database: any SQLDatabase) async throws -> [Int]
    /// The `limit` most recently indexed matches over all `scopes`, newest first.
    func newest(_ query: SearchQuery, in scopes: [SearchScope], titleOnly: Bool, limit: Int,
                on database: any SQLDatabase) async throws -> [Int64]
    /// `SELECT … FROM` the documents (aliased `d`) that match `query`.
    func matching(_ query: SearchQuery, _ select: SQLSelectBuilder) -> SQLSelectBuilder
    /// `SELECT … FROM` the documents (aliased `d`) of `scope` that match `query`.
    func matching(_ query: SearchQuery, in scope: SearchScope, _ select: SQLSelectBuilder) -> SQLSelectBuilder
    /// The numbers (`doc_id`) of the documents of `scope` that match `query`, as a subquery.
    func matchingDocIDs(_ query: SearchQuery, in scope: SearchScope, on database: any SQLDatabase) -> SQLSelectBuilder
    /// Counts per value of `facets` among the matches of `scope`, when the engine
    /// answers them itself; nil to count them from the facet codes of the matches.
    func facetCounts(_ query: SearchQuery, in scope: SearchScope, facets: Set<String>,
                     on database: any SQLDatabase) async throws -> [String: [String: Int]]?
    /// The engine for the several calls of one search, which may share what they read.
    func forOneSearch() -> any SearchEngine
}

extension SearchEngine {
    func forOneSearch() -> any SearchEngine { self }

    func facetCounts(_ query: SearchQuery, in scope: SearchScope, facets: Set<String>,
                     on database: any SQLDatabase) async throws -> [String: [String: Int]]? { nil }

    /// One statement a scope: FTS5 answers each from the index alone.
    func counts(_ query: SearchQuery, in scopes: [SearchScope], on database: any SQLDatabase) async throws -> [Int] {
        var counts: [Int] = []
        for scope in scopes { counts.append(try await count(query, in: scope, on: database)) }
        return counts
    }

    func newest(_ query: SearchQuery, in scopes: [SearchScope], titleOnly: Bool, limit: Int,
                on database: any SQLDatabase) async throws -> [Int64] {
        var found: [Int64] = []
        for scope in scopes {
            found += try await newest(query, in: scope, titleOnly: titleOnly, limit: limit, on: database)
        }
        return Array(found.sorted { SearchDocID.sequence(of: $0) > SearchDocID.sequence(of: $1) }.prefix(limit))
    }
}

extension Database {
    var searchEngine: any SearchEngine { searchEngine(keepingPostings: true) }

    func searchEngine(keepingPostings: Bool) -> any SearchEngine {
        isPostgres ? PostgresSearchEngine(keepsPostings: keepingPostings) : SQLiteSearchEngine()
    }
}

extension SearchScope {
    /// "This document is in the scope", on documents aliased `d` numbered by `docID`.
    func predicate(docID: any SQLExpression) -> any SQLExpression {
        let range = SQLGroupExpression(SQLBinaryExpression(
            left: SQLBinaryExpression(left: docID, op: SQLBinaryOperator.greaterThanOrEqual, right: SQLBind(self.range.lowerBound)),
            op: SQLBinaryOperator.and,
            right: SQLBinaryExpression(left: docID, op: SQLBinaryOperator.lessThanOrEqual, right: SQLBind(self.range.upperBound))))
        guard let restriction else { return range }
        return SQLGroupExpression(SQLBinaryExpression(left: range, op: SQLBinaryOperator.and, right: restriction))
    }

    /// The scope's range and restriction on `d`, for the engines' joined queries.
    func apply(_ select: SQLSelectBuilder, docID: any SQLExpression) -> SQLSelectBuilder {
        select.where(predicate(docID: docID))
    }
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

    /// The hits for `docIDs`, in that order, with their plain texts.
    static func hits(_ docIDs: [Int64], on database: any SQLDatabase) async throws -> [SearchHit] {
        guard !docIDs.isEmpty else { return [] }
        var select = database.select()
        for column in hit { select = select.column(SQLColumn(column, table: "d")) }
        let rows = try await select.column(SQLColumn("body_text", table: "t"))
            .from(SQLAlias(SQLIdentifier(SearchSchema.documents), as: SQLIdentifier("d")))
            .join(SQLAlias(SQLIdentifier(SearchSchema.texts), as: SQLIdentifier("t")),
                  on: SQLColumn("doc_id", table: "t"), .equal, SQLColumn("doc_id", table: "d"))
            .where(SQLColumn("doc_id", table: "d"), .in, PackedRows.numbers(docIDs, postgres: database.isPostgresDialect)).all()
        var byID: [Int64: SearchHit] = [:]
        for row in rows {
            var hit = try decodeHit(row)
            hit.bodyText = try row.decode(column: "body_text", as: String.self)
            byID[hit.docID] = hit
        }
        return docIDs.compactMap { byID[$0] }
    }

    static let documentColumns = ["doc_id", "item_type", "id", "slug", "title", "visibility", "term_count"]

    static func documentValues(_ docID: Int64, _ document: SearchDocument) -> [any SQLExpression] {
        [SQLBind(docID), SQLBind(document.type.rawValue), SQLBind(document.id), SQLBind(document.slug), SQLBind(document.title),
         SQLBind(document.visibility.rawValue), SQLBind(document.termCount)]
    }
}

/// Many small rows cost more to hand from the database driver to Swift than
/// to find (about 10 µs a row through SQLiteNIO): lists of document numbers
/// and the candidates' terms come back aggregated into one string instead.
enum PackedRows {
    /// `string_agg` on PostgreSQL, `group_concat` on SQLite.
    static func aggregate(_ value: any SQLExpression, separator: String, postgres: Bool) -> any SQLExpression {
        SQLFunction(postgres ? "string_agg" : "group_concat", args: value, SQLLiteral.string(separator))
    }

    /// The document numbers `inner` selects (as `doc_id`), in no particular order.
    static func documentNumbers(_ inner: SQLSelectBuilder, on database: any SQLDatabase, postgres: Bool) async throws -> [Int64] {
        let row = try await database.select()
            .column(aggregate(SQLRaw("CAST(m.doc_id AS TEXT)"), separator: ",", postgres: postgres), as: "ids")
            .from(SQLAlias(SQLGroupExpression(inner.select), as: SQLIdentifier("m")))
            .first()
        return parseNumbers(try row?.decode(column: "ids", as: String?.self))
    }

    /// The right side of `IN` for many document numbers. SQLite gets them as one
    /// JSON array: bound one by one, 500 numbers cost more to encode and parse
    /// than the rows they find.
    static func numbers(_ numbers: [Int64], postgres: Bool) -> any SQLExpression {
        if postgres { return SQLBind.group(numbers) }
        return SQLQueryString("(SELECT value FROM json_each(\(bind: "[" + numbers.map(String.init).joined(separator: ",") + "]")))")
    }

    static func parseNumbers(_ packed: String?) -> [Int64] {
        guard let packed, !packed.isEmpty else { return [] }
        return PackedFields.integers(packed)
    }
}

extension SQLInsertBuilder {
    /// Several rows at once.
    func valueRows(_ rows: [[any SQLExpression]]) -> Self {
        rows.reduce(self) { $0.values($1) }
    }
}
