import Fluent
import Foundation
import SQLKit
import LabAtlasCore

/// "Similar items": the visible items of any type that best match the item's
/// own distinctive terms — frequent in it, rare in the atlas.
struct SimilarItems {
    let service: SearchService
    static let termCount = 8

    func find(for id: UUID, limit: Int = 5) async throws -> [SearchHit] {
        let sql = try service.database.sql
        guard let row = try await sql.select().column(SQLColumn("terms_title", table: "t")).column(SQLColumn("terms_body", table: "t"))
            .from(SQLAlias(SQLIdentifier(SearchSchema.documents), as: SQLIdentifier("d")))
            .join(SQLAlias(SQLIdentifier(SearchSchema.texts), as: SQLIdentifier("t")),
                  on: SQLColumn("doc_id", table: "t"), .equal, SQLColumn("doc_id", table: "d"))
            .where(SQLColumn("id", table: "d"), .equal, SQLBind(id)).first() else { return [] }
        var weights: [String: Double] = [:]
        for (column, weight) in zip(["terms_title", "terms_body"], BM25.columnWeights) {
            for term in BM25.tokens(try row.decode(column: column, as: String.self)) where term.count >= 3 {
                weights[String(term), default: 0] += weight
            }
        }
        let candidates = weights.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.prefix(40).map(\.key)
        let statistics = try await SearchStatistics.load(terms: candidates, on: sql)
        let rows = Double(max(statistics.rowCount, 1))
        let distinctive = candidates.compactMap { term -> (String, Double)? in
            let frequency = Double(statistics.documentFrequencies[term] ?? 0)
            // A term only this item holds finds nothing else; one most items hold says nothing.
            guard frequency > 1, frequency < rows * 0.2 || rows < 50 else { return nil }
            return (term, (weights[term] ?? 0) * log(rows / frequency))
        }
        .sorted { ($0.1, $1.0) > ($1.1, $0.0) }
        .prefix(Self.termCount)
        let query = SearchQuery(clauses: distinctive.map { .init(kind: .terms([$0.0]), excluded: false, words: [$0.0]) }, mode: .any)
        // Five neighbours need fewer candidates than a page of results: ranking
        // them is most of the cost of an item's page.
        var service = service
        service.candidateLimit = 100
        service.titleCandidateLimit = 50
        return try await service.top(query, limit: limit, excluding: id)
    }
}
