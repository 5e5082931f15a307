import Fluent
import Foundation
import SQLKit
import LabAtlasCore

/// Writes the search index: the shared tables (documents, texts, term counts,
/// totals) here, the engine's matching entries through `SearchEngine`. Always
/// called inside the caller's transaction.
///
/// A rewrite is a removal and a fresh insertion, so a document's number (its
/// visibility bits, its sequence) always says what it is now, and the newest
/// sequence is the most recently saved item.
struct SearchIndexStore {
    let database: any SQLDatabase
    let engine: any SearchEngine
    let facetCodes: SearchFacetCodes

    /// `keepsPostings: false` leaves PostgreSQL's posting lists behind, for a bulk
    /// load that rebuilds them after (`PostgresPostings.rebuild`).
    init(database: any Database, keepsPostings: Bool = true) throws {
        self.database = try database.sql
        self.engine = database.searchEngine(keepingPostings: keepsPostings)
        self.facetCodes = SearchFacetCodes(database: try database.sql, postgres: database.isPostgres, keepsPostings: keepsPostings)
    }

    /// After a bulk write made with `keepsPostings: false`: PostgreSQL's posting
    /// lists, built once from the stored documents (as a GIN index is, faster
    /// than rewritten batch after batch).
    func rebuildPostings() async throws {
        if database.isPostgresDialect { try await PostgresPostings(database: database).rebuild() }
    }

    func upsert(_ documents: [SearchDocument]) async throws {
        try await remove(ids: documents.map(\.id))
        try await insertNew(documents)
    }

    /// Appends documents known to be absent (a rebuild, a bulk load).
    func insertNew(_ documents: [SearchDocument]) async throws {
        guard !documents.isEmpty else { return }
        let first = try await adjustTotals(rows: documents.count, tokens: documents.reduce(0) { $0 + $1.termCount },
                                           sequences: documents.count)
        let rows = documents.enumerated().map { offset, document in
            (docID: SearchDocID.make(type: document.type, visibility: document.visibility, sequence: first + Int64(offset)),
             document: document)
        }
        for start in stride(from: 0, to: rows.count, by: 200) {
            let batch = Array(rows[start..<min(start + 200, rows.count)])
            try await engine.insertDocuments(batch, on: database)
            try await database.insert(into: SearchSchema.texts).columns("doc_id", "body_text", "terms_title", "terms_body")
                .valueRows(batch.map { [SQLBind($0.docID), SQLBind($0.document.bodyText),
                                        SQLBind($0.document.storedTitleTerms), SQLBind($0.document.storedBodyTerms)] })
                .run()
        }
        var deltas: [String: Int64] = [:]
        for document in documents { for term in document.distinctTerms { deltas[term, default: 0] += 1 } }
        try await adjustTermCounts(deltas)
        try await facetCodes.insertForNewDocuments(itemIDs: documents.map(\.id))
    }

    func remove(ids: [UUID]) async throws {
        guard !ids.isEmpty else { return }
        try await KeptSimilarItems.forget(ids, on: database)
        var stored: [StoredSearchDocument] = []
        for chunk in stride(from: 0, to: ids.count, by: 500).map({ Array(ids[$0..<min($0 + 500, ids.count)]) }) {
            let rows = try await database.select()
                .column(SQLColumn("doc_id", table: "d")).column(SQLColumn("term_count", table: "d"))
                .column(SQLColumn("terms_title", table: "t")).column(SQLColumn("terms_body", table: "t"))
                .from(SQLAlias(SQLIdentifier(SearchSchema.documents), as: SQLIdentifier("d")))
                .join(SQLAlias(SQLIdentifier(SearchSchema.texts), as: SQLIdentifier("t")),
                      on: SQLColumn("doc_id", table: "t"), .equal, SQLColumn("doc_id", table: "d"))
                .where(SQLColumn("id", table: "d"), .in, SQLBind.group(chunk)).all()
            stored += try rows.map { row in
                StoredSearchDocument(docID: try row.decode(column: "doc_id", as: Int64.self),
                                     termsTitle: try row.decode(column: "terms_title", as: String.self),
                                     termsBody: try row.decode(column: "terms_body", as: String.self),
                                     termCount: try row.decode(column: "term_count", as: Int.self))
            }
        }
        guard !stored.isEmpty else { return }
        try await engine.removeMatchingEntries(stored, on: database)
        let docIDs = stored.map(\.docID)
        try await facetCodes.remove(docIDs: docIDs)
        try await database.delete(from: SearchSchema.documents).where("doc_id", .in, SQLBind.group(docIDs)).run()
        try await database.delete(from: SearchSchema.texts).where("doc_id", .in, SQLBind.group(docIDs)).run()
        _ = try await adjustTotals(rows: -stored.count, tokens: -stored.reduce(0) { $0 + $1.termCount }, sequences: 0)
        var deltas: [String: Int64] = [:]
        for document in stored {
            let terms = Set(BM25.tokens(document.termsTitle)).union(BM25.tokens(document.termsBody))
            for term in terms { deltas[String(term), default: 0] -= 1 }
        }
        try await adjustTermCounts(deltas)
    }

    func removeAll() async throws {
        try await KeptSimilarItems.forgetAll(on: database)
        try await engine.removeAllMatchingEntries(on: database)
        try await facetCodes.removeAll()
        try await database.delete(from: SearchSchema.documents).run()
        try await database.delete(from: SearchSchema.texts).run()
        try await database.delete(from: SearchSchema.terms).run()
        try await database.update(SearchSchema.statistics).set("row_count", to: SQLBind(0)).set("token_count", to: SQLBind(0))
            .where("id", .equal, SQLBind(1)).run()
    }

    /// Moves the totals and reserves `sequences` numbers; returns the first one reserved.
    /// The statistics row is always locked before any term row, so concurrent
    /// writers on PostgreSQL queue instead of deadlocking.
    private func adjustTotals(rows: Int, tokens: Int, sequences: Int) async throws -> Int64 {
        let next = try await database.raw("""
            UPDATE search_stats SET row_count = row_count + \(bind: rows), token_count = token_count + \(bind: tokens),
                next_sequence = next_sequence + \(bind: sequences) WHERE id = 1 RETURNING next_sequence
            """).first()?.decode(column: "next_sequence", as: Int64.self) ?? Int64(sequences + 1)
        return next - Int64(sequences)
    }

    /// Adds to each term's document count, in term order (the same lock order for every writer).
    private func adjustTermCounts(_ deltas: [String: Int64]) async throws {
        let changes = deltas.filter { $0.value != 0 }.sorted { $0.key < $1.key }
        for start in stride(from: 0, to: changes.count, by: 400) {
            let chunk = changes[start..<min(start + 400, changes.count)]
            try await database.insert(into: SearchSchema.terms).columns("term", "doc_count")
                .valueRows(chunk.map { [SQLBind($0.key), SQLBind($0.value)] })
                .onConflict(with: ["term"]) { $0.set(SQLColumn("doc_count"), to: SQLRaw("search_terms.doc_count + excluded.doc_count")) }
                .run()
        }
    }
}

/// The index's totals and per-term document counts, read from the shared
/// tables: both databases rank with the same numbers.
struct SearchStatistics: Sendable {
    var rowCount: Int64
    var tokenCount: Int64
    var documentFrequencies: [String: Int64]

    static func load(terms: [String], on database: any SQLDatabase) async throws -> SearchStatistics {
        let totals = try await database.select().column("row_count").column("token_count").from(SearchSchema.statistics)
            .where("id", .equal, SQLBind(1)).first()
        var frequencies: [String: Int64] = [:]
        let unique = Array(Set(terms))
        for start in stride(from: 0, to: unique.count, by: 500) {
            let chunk = Array(unique[start..<min(start + 500, unique.count)])
            for row in try await database.select().column("term").column("doc_count").from(SearchSchema.terms)
                .where("term", .in, SQLBind.group(chunk)).all() {
                frequencies[try row.decode(column: "term", as: String.self)] = try row.decode(column: "doc_count", as: Int64.self)
            }
        }
        return SearchStatistics(rowCount: try totals?.decode(column: "row_count", as: Int64.self) ?? 0,
                                tokenCount: try totals?.decode(column: "token_count", as: Int64.self) ?? 0,
                                documentFrequencies: frequencies)
    }

    /// Documents holding a prefix: the sum over its terms, at most every document.
    static func prefixFrequency(_ prefix: String, on database: any SQLDatabase) async throws -> Int64 {
        // SUM of a BIGINT is a NUMERIC on PostgreSQL.
        let row = try await database.select().column(SQLRaw("CAST(SUM(doc_count) AS BIGINT)"), as: "n")
            .from(SearchSchema.terms)
            .where("term", .greaterThanOrEqual, SQLBind(prefix)).where("term", .lessThan, SQLBind(prefix + "\u{10FFFF}"))
            .first()
        return try row?.decode(column: "n", as: Int64?.self) ?? 0
    }

    /// How many documents a clause is taken to match for its weight: a term's
    /// count; a phrase, its rarest term's (an upper bound, as no table counts
    /// phrases); a prefix, the sum over its terms.
    func frequency(of clause: SearchQuery.Kind, prefixFrequencies: [String: Int64]) -> Int64 {
        switch clause {
        case .terms(let terms):
            return terms.map { documentFrequencies[$0] ?? 0 }.min() ?? 0
        case .prefix(let prefix):
            return min(prefixFrequencies[prefix] ?? 0, rowCount)
        }
    }
}
