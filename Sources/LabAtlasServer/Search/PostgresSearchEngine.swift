import Foundation
import SQLKit
import LabAtlasCore

/// A `tsvector` per document with a GIN index for matching; ranking is FTS5's
/// BM25, computed here over a bounded candidate set.
///
/// `ts_rank` over every match reads every matching `tsvector` and measured
/// about 95 ms p95 at 500,000 documents, and it is not BM25, so results would
/// differ from SQLite's. Instead the GIN index finds the matches, the
/// `candidateLimit` most promising ones (title matches first, then the shortest,
/// which BM25 favours) are fetched with their terms, and `BM25` ranks them
/// exactly as FTS5 does. When a query has no more matches than the limit —
/// most real queries — the order is the SQLite order.
struct PostgresSearchEngine: SearchEngine {
    static let candidateLimit = 500

    func upsert(_ documents: [SearchDocument], on database: any SQLDatabase) async throws {
        var fresh: [SearchDocument] = []
        var rewritten: [SearchDocument] = []
        var tokenDelta = 0
        for document in documents {
            let existing = try await database.select().column("doc_id").column("term_count").from(SearchSchema.documents)
                .where("id", .equal, SQLBind(document.id)).first()
            guard let existing else {
                fresh.append(document)
                continue
            }
            let docID = try existing.decode(column: "doc_id", as: Int64.self)
            tokenDelta += document.termCount - (try existing.decode(column: "term_count", as: Int.self))
            var update = database.update(SearchSchema.documents)
            for (column, value) in zip(SearchColumns.documentColumns, SearchColumns.documentValues(document)) {
                update = update.set(SQLColumn(column), to: value)
            }
            try await update
                .set(SQLColumn("tsv"), to: SQLQueryString("CAST(\(bind: document.tsvectorLiteral) AS tsvector)"))
                .set(SQLColumn("title_tsv"), to: SQLQueryString("CAST(\(bind: document.titleTsvectorLiteral) AS tsvector)"))
                .where("doc_id", .equal, SQLBind(docID)).run()
            try await SearchColumns.updateText(docID, document, on: database)
            rewritten.append(document)
        }
        try await adjustStatistics(rows: 0, tokens: tokenDelta, on: database)
        try await insertNew(fresh, on: database)
        try await SearchColumns.recordTerms(of: rewritten, on: database)
    }

    func insertNew(_ documents: [SearchDocument], on database: any SQLDatabase) async throws {
        guard !documents.isEmpty else { return }
        for start in stride(from: 0, to: documents.count, by: 200) {
            let batch = documents[start..<min(start + 200, documents.count)]
            let rows = try await database.insert(into: SearchSchema.documents)
                .columns(SearchColumns.documentColumns + ["tsv", "title_tsv"])
                .valueRows(batch.map { document in
                    SearchColumns.documentValues(document) + [
                        SQLQueryString("CAST(\(bind: document.tsvectorLiteral) AS tsvector)"),
                        SQLQueryString("CAST(\(bind: document.titleTsvectorLiteral) AS tsvector)"),
                    ]
                })
                .returning("doc_id", "id").all()
            var docIDs: [UUID: Int64] = [:]
            for row in rows { docIDs[try row.decode(column: "id", as: UUID.self)] = try row.decode(column: "doc_id", as: Int64.self) }
            try await database.insert(into: SearchSchema.texts).columns(SearchColumns.textColumns)
                .valueRows(batch.compactMap { document in docIDs[document.id].map { SearchColumns.textValues($0, document) } })
                .run()
        }
        try await adjustStatistics(rows: documents.count, tokens: documents.reduce(0) { $0 + $1.termCount }, on: database)
        try await SearchColumns.recordTerms(of: documents, on: database)
    }

    func remove(ids: [UUID], on database: any SQLDatabase) async throws {
        guard !ids.isEmpty else { return }
        let rows = try await database.delete(from: SearchSchema.documents).where("id", .in, SQLBind.group(ids))
            .returning("doc_id", "term_count").all()
        guard !rows.isEmpty else { return }
        let docIDs = try rows.map { try $0.decode(column: "doc_id", as: Int64.self) }
        try await database.delete(from: SearchSchema.texts).where("doc_id", .in, SQLBind.group(docIDs)).run()
        let tokens = try rows.reduce(0) { $0 + (try $1.decode(column: "term_count", as: Int.self)) }
        try await adjustStatistics(rows: -rows.count, tokens: -tokens, on: database)
    }

    func removeAll(on database: any SQLDatabase) async throws {
        try await database.delete(from: SearchSchema.documents).run()
        try await database.delete(from: SearchSchema.texts).run()
        try await database.raw("UPDATE search_stats SET row_count = 0, token_count = 0 WHERE id = 1").run()
    }

    private func adjustStatistics(rows: Int, tokens: Int, on database: any SQLDatabase) async throws {
        guard rows != 0 || tokens != 0 else { return }
        try await database.raw("""
            UPDATE search_stats SET row_count = row_count + \(bind: rows), token_count = token_count + \(bind: tokens) WHERE id = 1
            """).run()
    }

    func matching(_ query: SearchQuery, _ select: SQLSelectBuilder) -> SQLSelectBuilder {
        let tsquery = query.tsquery() ?? "''"
        return select.from(SQLAlias(SQLIdentifier(SearchSchema.documents), as: SQLIdentifier("d")))
            .where(SQLQueryString("d.tsv @@ CAST(\(bind: tsquery) AS tsquery)"))
    }

    /// Candidates first by this key; what lies beyond the ranked candidates follows it too.
    private func inCandidateOrder(_ query: SearchQuery, _ select: SQLSelectBuilder) -> SQLSelectBuilder {
        let titleQuery = query.tsquery() ?? "''"
        return select.orderBy(SQLQueryString("(d.title_tsv @@ CAST(\(bind: titleQuery) AS tsquery))"), SQLDirection.descending)
            .orderBy(SQLColumn("term_count", table: "d")).orderBy(SQLColumn("doc_id", table: "d"))
    }

    func rankedPage(_ query: SearchQuery, restrict: @Sendable (SQLSelectBuilder) -> SQLSelectBuilder,
                    offset: Int, limit: Int, on database: any SQLDatabase) async throws -> [SearchHit] {
        let limitK = Self.candidateLimit
        let candidates = try await inCandidateOrder(query, restrict(matching(query, SearchColumns.select(database.select()))))
            .limit(limitK).all().map(SearchColumns.decodeHit)
        var page: [SearchHit] = []
        if offset < candidates.count {
            let scorer = try await scorer(for: query, on: database)
            let rows = try await database.select().column("doc_id").column("terms_title").column("terms_body")
                .from(SearchSchema.texts).where("doc_id", .in, SQLBind.group(candidates.map(\.docID))).all()
            var scores: [Int64: Double] = [:]
            for row in rows {
                let columns = [BM25.tokens(try row.decode(column: "terms_title", as: String.self)),
                               BM25.tokens(try row.decode(column: "terms_body", as: String.self))]
                scores[try row.decode(column: "doc_id", as: Int64.self)] = scorer.score(columns: columns)
            }
            let ranked = candidates.sorted { (scores[$0.docID] ?? 0, $0.docID) < (scores[$1.docID] ?? 0, $1.docID) }
            page = Array(ranked.dropFirst(offset).prefix(limit))
        }
        // Beyond the ranked candidates, results follow the candidate order.
        let end = offset + limit
        if candidates.count == limitK, end > limitK {
            let start = max(offset, limitK)
            page += try await inCandidateOrder(query, restrict(matching(query, SearchColumns.select(database.select()))))
                .limit(end - start).offset(start).all().map(SearchColumns.decodeHit)
        }
        return try await SearchColumns.withTexts(page, on: database)
    }

    /// BM25 with the statistics FTS5 would use: index totals, and for each clause
    /// how many documents of the whole index match it.
    private func scorer(for query: SearchQuery, on database: any SQLDatabase) async throws -> BM25 {
        let clauses = query.included.map(\.kind)
        let totals = try await database.raw("SELECT row_count, token_count FROM search_stats WHERE id = 1").first()
        let rowCount = try totals?.decode(column: "row_count", as: Int64.self) ?? 0
        let tokenCount = try totals?.decode(column: "token_count", as: Int64.self) ?? 0
        var select = database.select()
        for (index, clause) in clauses.enumerated() {
            select = select.column(SQLQueryString(
                "COUNT(*) FILTER (WHERE tsv @@ CAST(\(bind: SearchQuery.tsqueryPhrase(clause)) AS tsquery))"), as: "h\(index)")
        }
        let any = "(" + clauses.map { SearchQuery.tsqueryPhrase($0) }.joined(separator: " | ") + ")"
        let row = try await select.from(SearchSchema.documents)
            .where(SQLQueryString("tsv @@ CAST(\(bind: any) AS tsquery)")).first()
        let frequencies = try clauses.indices.map { try row?.decode(column: "h\($0)", as: Int64.self) ?? 0 }
        return BM25(clauses: clauses, documentFrequencies: frequencies, rowCount: rowCount, tokenCount: tokenCount)
    }

    func documentFrequencies(_ terms: [String], on database: any SQLDatabase) async throws -> (frequencies: [String: Int], rows: Int) {
        let rows = try await database.raw("SELECT row_count FROM search_stats WHERE id = 1").first()?
            .decode(column: "row_count", as: Int.self) ?? 0
        guard !terms.isEmpty else { return ([:], rows) }
        var select = database.select()
        for (index, term) in terms.enumerated() {
            select = select.column(SQLQueryString(
                "COUNT(*) FILTER (WHERE tsv @@ CAST(\(bind: SearchQuery.quotedLexeme(term)) AS tsquery))"), as: "f\(index)")
        }
        let any = terms.map(SearchQuery.quotedLexeme).joined(separator: " | ")
        let row = try await select.from(SearchSchema.documents).where(SQLQueryString("tsv @@ CAST(\(bind: any) AS tsquery)")).first()
        var frequencies: [String: Int] = [:]
        for (index, term) in terms.enumerated() {
            frequencies[term] = try row?.decode(column: "f\(index)", as: Int.self) ?? 0
        }
        return (frequencies, rows)
    }
}
