import Foundation
import SQLKit
import LabAtlasCore

/// A `tsvector` per document with a GIN index for matching, the title's own
/// `tsvector` for the title tier of the candidates, and posting lists kept as
/// bitmaps (`PostgresPostings`) for counting and walking.
///
/// A GIN index answers no count by itself: counting the matches of a common
/// word visited one heap page per match, over 100 ms at 500,000 documents. A
/// query made of words and prefixes (the usual kind) is answered from the
/// posting lists of its terms in the reader's scopes: counts per type and facet
/// value, and the newest matches, read a few kilobytes a term. A phrase needs
/// positions, and a signed-in member's scope the reader's rule: those go to
/// GIN and the documents, as before.
///
/// `ts_rank` is not used: ranking is BM25 over a bounded candidate set, the
/// same Swift code as on SQLite (`SearchService`), so one query gives one order.
struct PostgresSearchEngine: SearchEngine {
    /// Shared by the calls of one search (`forOneSearch`), nil otherwise.
    var memo: PostingMemo?
    /// False during a bulk load, which rebuilds the posting lists after.
    var keepsPostings = true

    func forOneSearch() -> any SearchEngine { PostgresSearchEngine(memo: PostingMemo(), keepsPostings: keepsPostings) }

    private func postings(_ database: any SQLDatabase) -> PostingMatches {
        PostingMatches(database: database, memo: memo ?? PostingMemo())
    }

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
        guard keepsPostings else { return }
        try await PostgresPostings(database: database).change(
            adding: rows.flatMap { row in Self.postings(title: row.document.titleTerms, body: row.document.bodyTerms, docID: row.docID) },
            removing: [])
    }

    func removeMatchingEntries(_ documents: [StoredSearchDocument], on database: any SQLDatabase) async throws {
        guard keepsPostings else { return }
        try await PostgresPostings(database: database).change(adding: [], removing: documents.flatMap { document in
            Self.postings(title: BM25.tokens(document.termsTitle).map(String.init), body: BM25.tokens(document.termsBody).map(String.init),
                          docID: document.docID)
        })
    }

    func removeAllMatchingEntries(on database: any SQLDatabase) async throws {
        try await PostgresPostings(database: database).removeAll(prefixes: [PostgresPostings.Key.wordPrefix, PostgresPostings.Key.titlePrefix])
    }

    /// A document's entries: each distinct term, and each distinct title term.
    private static func postings(title: [String], body: [String], docID: Int64) -> [(key: String, docID: Int64)] {
        let titleTerms = Set(title)
        var postings: [(key: String, docID: Int64)] = titleTerms.map { (PostgresPostings.Key.title($0), docID) }
        for term in titleTerms.union(body) { postings.append((PostgresPostings.Key.word(term), docID)) }
        return postings
    }

    /// Fresh statistics for the planner, and the visibility map for the heap.
    func compact(on database: any SQLDatabase) async throws {
        try await database.raw("VACUUM ANALYZE search_docs").run()
        try await database.raw("VACUUM ANALYZE search_texts").run()
        try await database.raw("VACUUM ANALYZE search_bitmaps").run()
    }

    func count(_ query: SearchQuery, in scope: SearchScope, on database: any SQLDatabase) async throws -> Int {
        try await counts(query, in: [scope], on: database)[0]
    }

    func newest(_ query: SearchQuery, in scope: SearchScope, titleOnly: Bool, limit: Int,
                on database: any SQLDatabase) async throws -> [Int64] {
        try await newest(query, in: [scope], titleOnly: titleOnly, limit: limit, on: database)
    }

    func counts(_ query: SearchQuery, in scopes: [SearchScope], on database: any SQLDatabase) async throws -> [Int] {
        guard query.isRunnable, !scopes.isEmpty else { return scopes.map { _ in 0 } }
        var counts = [Int?](repeating: nil, count: scopes.count)
        for (index, sets) in try await postings(database).evaluate(query, in: scopes, titleOnly: false) {
            counts[index] = sets.values.reduce(0) { $0 + $1.count }
        }
        let rest = scopes.indices.filter { counts[$0] == nil }
        for (index, count) in zip(rest, try await indexCounts(query, in: rest.map { scopes[$0] }, on: database)) {
            counts[index] = count
        }
        return counts.map { $0 ?? 0 }
    }

    func newest(_ query: SearchQuery, in scopes: [SearchScope], titleOnly: Bool, limit: Int,
                on database: any SQLDatabase) async throws -> [Int64] {
        guard query.isRunnable, !scopes.isEmpty else { return [] }
        let evaluated = try await postings(database).evaluate(query, in: scopes, titleOnly: titleOnly)
        var found: [Int64] = []
        for sets in evaluated.values {
            for (scope, set) in sets { found += set.highest(limit).map { SearchDocID.make(scope: scope, sequence: $0) } }
        }
        for index in scopes.indices where evaluated[index] == nil {
            found += try await indexNewest(query, in: scopes[index], titleOnly: titleOnly, limit: limit, on: database)
        }
        return Array(found.sorted { SearchDocID.sequence(of: $0) > SearchDocID.sequence(of: $1) }.prefix(limit))
    }

    func facetCounts(_ query: SearchQuery, in scope: SearchScope, facets: Set<String>,
                     on database: any SQLDatabase) async throws -> [String: [String: Int]]? {
        try await postings(database).facetCounts(query, in: scope, facets: facets)
    }

    // MARK: - GIN and the documents

    private func indexNewest(_ query: SearchQuery, in scope: SearchScope, titleOnly: Bool, limit: Int,
                             on database: any SQLDatabase) async throws -> [Int64] {
        var select = matching(query, in: scope, database.select().column(SQLColumn("doc_id", table: "d")))
        if titleOnly, let title = query.anyIncluded.tsquery() {
            select = select.where(SQLQueryString("d.title_tsv @@ CAST(\(bind: title) AS tsquery)"))
        }
        return try await PackedRows.documentNumbers(select.orderBy(SQLColumn("doc_id", table: "d"), SQLDirection.descending).limit(limit),
                                                    on: database, postgres: true)
    }

    /// Every GIN scan builds the query's whole bitmap and every count visits one
    /// heap page per match: all scopes are counted in one statement, one pass.
    private func indexCounts(_ query: SearchQuery, in scopes: [SearchScope], on database: any SQLDatabase) async throws -> [Int] {
        guard !scopes.isEmpty else { return [] }
        let docID = SQLColumn("doc_id", table: "d")
        var select = database.select()
        for (index, scope) in scopes.enumerated() {
            select = select.column(FilteredCount(condition: scope.predicate(docID: docID)), as: "c\(index)")
        }
        let row = try await matching(query, select).where(SQLGroupExpression.anyOf(scopes.map { $0.predicate(docID: docID) })).first()
        return try scopes.indices.map { try row?.decode(column: "c\($0)", as: Int.self) ?? 0 }
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
