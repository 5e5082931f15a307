import Foundation
import SQLKit
import LabAtlasCore

/// A `tsvector` per document with a GIN index for matching, and the title's
/// own `tsvector` (indexed too) for the title tier of the candidates. The
/// `SearchDocID` is the primary key, so a scope's range is an index condition.
///
/// `ts_rank` is not used: ranking is BM25 over a bounded candidate set, the
/// same Swift code as on SQLite (`SearchService`), so one query gives one order.
struct PostgresSearchEngine: SearchEngine {
    func insertDocuments(_ rows: [(docID: Int64, document: SearchDocument)], on database: any SQLDatabase) async throws {
        guard !rows.isEmpty else { return }
        try await database.insert(into: SearchSchema.documents)
            .columns(SearchColumns.documentColumns + ["tsv", "title_tsv"])
            .valueRows(rows.map { row in
                SearchColumns.documentValues(row.docID, row.document) + [
                    SQLQueryString("CAST(\(bind: row.document.tsvectorLiteral) AS tsvector)"),
                    SQLQueryString("CAST(\(bind: row.document.titleTsvectorLiteral) AS tsvector)"),
                ]
            })
            .run()
    }

    /// The `tsvector`s go with their `search_docs` rows.
    func removeMatchingEntries(_ documents: [StoredSearchDocument], on database: any SQLDatabase) async throws {}

    func removeAllMatchingEntries(on database: any SQLDatabase) async throws {}

    /// Fresh statistics for the planner, and the visibility map for the heap.
    func compact(on database: any SQLDatabase) async throws {
        try await database.raw("VACUUM ANALYZE search_docs").run()
        try await database.raw("VACUUM ANALYZE search_texts").run()
    }

    func count(_ query: SearchQuery, in scope: SearchScope, on database: any SQLDatabase) async throws -> Int {
        guard query.isRunnable else { return 0 }
        let row = try await matching(query, in: scope, database.select()
            .column(SQLFunction("COUNT", args: SQLLiteral.all), as: "n")).first()
        return try row?.decode(column: "n", as: Int.self) ?? 0
    }

    func newest(_ query: SearchQuery, in scope: SearchScope, titleOnly: Bool, limit: Int,
                on database: any SQLDatabase) async throws -> [Int64] {
        guard query.isRunnable else { return [] }
        var select = matching(query, in: scope, database.select().column(SQLColumn("doc_id", table: "d")))
        if titleOnly, let title = query.anyIncluded.tsquery() {
            select = select.where(SQLQueryString("d.title_tsv @@ CAST(\(bind: title) AS tsquery)"))
        }
        return try await PackedRows.documentNumbers(select.orderBy(SQLColumn("doc_id", table: "d"), SQLDirection.descending).limit(limit),
                                                    on: database, postgres: true)
    }

    /// Every GIN scan builds the query's whole bitmap and every count visits one
    /// heap page per match: all scopes are counted in one statement, one pass.
    func counts(_ query: SearchQuery, in scopes: [SearchScope], on database: any SQLDatabase) async throws -> [Int] {
        guard query.isRunnable, !scopes.isEmpty else { return scopes.map { _ in 0 } }
        let docID = SQLColumn("doc_id", table: "d")
        var select = database.select()
        for (index, scope) in scopes.enumerated() {
            select = select.column(FilteredCount(condition: scope.predicate(docID: docID)), as: "c\(index)")
        }
        let row = try await matching(query, select).where(anyOf(scopes.map { $0.predicate(docID: docID) })).first()
        return try scopes.indices.map { try row?.decode(column: "c\($0)", as: Int.self) ?? 0 }
    }

    private func anyOf(_ predicates: [any SQLExpression]) -> any SQLExpression {
        SQLGroupExpression(predicates.dropFirst().reduce(predicates[0]) {
            SQLBinaryExpression(left: $0, op: SQLBinaryOperator.or, right: $1)
        })
    }

    func matching(_ query: SearchQuery, in scope: SearchScope, _ select: SQLSelectBuilder) -> SQLSelectBuilder {
        scope.apply(matching(query, select), docID: SQLColumn("doc_id", table: "d"))
    }

    func matchingDocIDs(_ query: SearchQuery, in scope: SearchScope, on database: any SQLDatabase) -> SQLSelectBuilder {
        matching(query, in: scope, database.select().column(SQLColumn("doc_id", table: "d")))
    }

    func matching(_ query: SearchQuery, _ select: SQLSelectBuilder) -> SQLSelectBuilder {
        let tsquery = query.tsquery() ?? "''"
        return select.from(SQLAlias(SQLIdentifier(SearchSchema.documents), as: SQLIdentifier("d")))
            .where(SQLQueryString("d.tsv @@ CAST(\(bind: tsquery) AS tsquery)"))
    }
}

/// `COUNT(*) FILTER (WHERE …)`.
private struct FilteredCount: SQLExpression {
    let condition: any SQLExpression

    func serialize(to serializer: inout SQLSerializer) {
        serializer.write("COUNT(*) FILTER (WHERE ")
        condition.serialize(to: &serializer)
        serializer.write(")")
    }
}
