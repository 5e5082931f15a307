import Foundation
import SQLKit
import LabAtlasCore

/// FTS5 over the analyzed terms, with `search_texts` as external content and
/// the `SearchDocID` as rowid.
///
/// A scope without a restriction is answered by FTS5 alone: a rowid range is a
/// seek in its posting lists and `count(*)` never leaves the index, so counting
/// the public matches of each type costs little more than reading their
/// postings. Only a restricted scope (another visibility, facet filters) joins
/// `search_docs`.
struct SQLiteSearchEngine: SearchEngine {
    func insertDocuments(_ rows: [(docID: Int64, document: SearchDocument)], on database: any SQLDatabase) async throws {
        guard !rows.isEmpty else { return }
        try await database.insert(into: SearchSchema.documents).columns(SearchColumns.documentColumns)
            .valueRows(rows.map { SearchColumns.documentValues($0.docID, $0.document) })
            .run()
        try await database.insert(into: "search_fts").columns("rowid", "terms_title", "terms_body")
            .valueRows(rows.map { [SQLBind($0.docID), SQLBind($0.document.storedTitleTerms), SQLBind($0.document.storedBodyTerms)] })
            .run()
    }

    /// FTS5 cannot read back what an external-content row held, so the old
    /// terms are given to its `'delete'` command.
    func removeMatchingEntries(_ documents: [StoredSearchDocument], on database: any SQLDatabase) async throws {
        for document in documents {
            try await database.raw("""
                INSERT INTO search_fts(search_fts, rowid, terms_title, terms_body)
                VALUES ('delete', \(bind: document.docID), \(bind: document.termsTitle), \(bind: document.termsBody))
                """).run()
        }
    }

    func removeAllMatchingEntries(on database: any SQLDatabase) async throws {
        try await database.raw("INSERT INTO search_fts(search_fts) VALUES ('delete-all')").run()
    }

    /// Bulk writes leave FTS5 with several segments, and every query seeks each
    /// term in each of them: merged into one, queries read one posting list a term.
    func compact(on database: any SQLDatabase) async throws {
        try await database.raw("INSERT INTO search_fts(search_fts) VALUES ('optimize')").run()
    }

    func count(_ query: SearchQuery, in scope: SearchScope, on database: any SQLDatabase) async throws -> Int {
        guard let expression = query.fts5Expression() else { return 0 }
        let row: (any SQLRow)?
        if scope.restriction == nil {
            row = try await database.raw("""
                SELECT count(*) AS n FROM search_fts WHERE search_fts MATCH \(bind: expression)
                AND rowid >= \(bind: scope.range.lowerBound) AND rowid <= \(bind: scope.range.upperBound)
                """).first()
        } else {
            row = try await matching(query, in: scope, database.select()
                .column(SQLFunction("COUNT", args: SQLLiteral.all), as: "n")).first()
        }
        return try row?.decode(column: "n", as: Int.self) ?? 0
    }

    func newest(_ query: SearchQuery, in scope: SearchScope, titleOnly: Bool, limit: Int,
                on database: any SQLDatabase) async throws -> [Int64] {
        guard var expression = query.fts5Expression() else { return [] }
        if titleOnly, let title = query.anyIncluded.fts5Expression(column: "terms_title") {
            expression = "(" + expression + ") AND " + title
        }
        if scope.restriction == nil {
            let row = try await database.raw("""
                SELECT group_concat(rowid) AS ids FROM (SELECT rowid FROM search_fts WHERE search_fts MATCH \(bind: expression)
                AND rowid >= \(bind: scope.range.lowerBound) AND rowid <= \(bind: scope.range.upperBound)
                ORDER BY rowid DESC LIMIT \(bind: limit))
                """).first()
            return PackedRows.parseNumbers(try row?.decode(column: "ids", as: String?.self))
        }
        return try await PackedRows.documentNumbers(
            scope.apply(matching(expression, database.select().column(SQLColumn("doc_id", table: "d"))),
                        docID: SQLColumn("rowid", table: "search_fts"))
                .orderBy(SQLColumn("rowid", table: "search_fts"), SQLDirection.descending).limit(limit),
            on: database, postgres: false)
    }

    func matching(_ query: SearchQuery, _ select: SQLSelectBuilder) -> SQLSelectBuilder {
        matching(query.fts5Expression() ?? "\"\"", select)
    }

    /// The range goes on the FTS table's rowid, where FTS5 uses it to seek.
    func matching(_ query: SearchQuery, in scope: SearchScope, _ select: SQLSelectBuilder) -> SQLSelectBuilder {
        scope.apply(matching(query, select), docID: SQLColumn("rowid", table: "search_fts"))
    }

    /// FTS5 alone when the range decides; joined with the documents otherwise.
    func matchingDocIDs(_ query: SearchQuery, in scope: SearchScope, on database: any SQLDatabase) -> SQLSelectBuilder {
        guard scope.restriction == nil else {
            return matching(query, in: scope, database.select().column(SQLColumn("doc_id", table: "d")))
        }
        return database.select().column(SQLColumn("rowid"), as: "doc_id").from("search_fts")
            .where(SQLQueryString("search_fts MATCH \(bind: query.fts5Expression() ?? "\"\"")"))
            .where(SQLColumn("rowid"), .greaterThanOrEqual, SQLBind(scope.range.lowerBound))
            .where(SQLColumn("rowid"), .lessThanOrEqual, SQLBind(scope.range.upperBound))
    }

    private func matching(_ expression: String, _ select: SQLSelectBuilder) -> SQLSelectBuilder {
        // The FTS table drives the join: the match is cheap, scanning documents is not.
        select.from(SQLRaw("search_fts CROSS JOIN search_docs AS d"))
            .where(SQLRaw("d.doc_id = search_fts.rowid"))
            .where(SQLQueryString("search_fts MATCH \(bind: expression)"))
    }
}
