import Fluent
import Foundation
import SQLKit
import LabAtlasCore

/// "Similar items": the visible items of any type that best match the item's
/// own distinctive terms — frequent in it, rare in the atlas.
struct SimilarItems {
    let service: SearchService
    /// Where a ranked list goes to be kept when a save holds the write lock.
    let backgroundWrites: BackgroundWrites
    static let termCount = 8

    /// Neighbours kept for visitors: more than a page shows, so that one made
    /// private or deleted since leaves enough of the others.
    static let keptCount = 10

    func find(for id: UUID, limit: Int = 5) async throws -> [SearchHit] {
        // Members may have neighbours visitors may not see: theirs are ranked for them.
        guard service.reader.isVisitor else { return try await rank(for: id, limit: limit)?.hits ?? [] }
        let kept = KeptSimilarItems(database: service.database)
        let lookup = try await kept.lookup(id)
        if let neighbours = lookup.neighbours {
            if !lookup.isCurrent { rankLater(id) }
            return try await visibleHits(neighbours, limit: limit)
        }
        guard let ranked = try await rank(for: id, limit: Self.keptCount) else { return [] }
        // Keeping is a convenience: a page never fails for it (the next view ranks again).
        try? await kept.keep(ranked.hits.map(\.id), for: id, rankedDocID: ranked.docID, sequence: lookup.sequence,
                             later: backgroundWrites)
        return Array(ranked.hits.prefix(limit))
    }

    /// Ranks the item's neighbours for visitors again, after the page, once at
    /// a time: its kept list is out of date, and is shown until the new one is
    /// kept. Ranked during the view, as it was, an item's page waited for it
    /// (a tenth of a second under load), and every view of it ranked again
    /// until one of them had kept its list.
    func rankLater(_ id: UUID) {
        // Kept lists are the visitors': a member's ranking may hold what visitors may not see.
        guard service.reader.isVisitor else { return }
        let similar = self
        backgroundWrites.start(once: "similar items of \(id)") {
            let kept = KeptSimilarItems(database: similar.service.database)
            let lookup = try await kept.lookup(id)
            // Ranked again meanwhile (on another instance), or dropped by a save: the next view sees to it.
            guard lookup.neighbours != nil, !lookup.isCurrent,
                  let ranked = try await similar.rank(for: id, limit: Self.keptCount) else { return }
            try await kept.keepAfterSaves(ranked.hits.map(\.id), for: id, rankedDocID: ranked.docID, sequence: lookup.sequence)
        }
    }

    /// The hits of kept neighbours the reader may see now, read afresh, best first.
    private func visibleHits(_ ids: [UUID], limit: Int) async throws -> [SearchHit] {
        guard !ids.isEmpty else { return [] }
        let sql = try service.database.sql
        let docIDs = try await sql.select().column("doc_id").from(SearchSchema.documents)
            .where("id", .in, SQLBind.group(ids)).all()
            .map { try $0.decode(column: "doc_id", as: Int64.self) }
            .filter(service.isVisibleWithoutCondition)
        let hits = try await SearchColumns.hits(docIDs, on: sql)
        let rank = Dictionary(ids.enumerated().map { ($0.element, $0.offset) }, uniquingKeysWith: { first, _ in first })
        return Array(hits.sorted { (rank[$0.id] ?? .max) < (rank[$1.id] ?? .max) }.prefix(limit))
    }

    /// Ranks the item's neighbours for the reader; nil when the item has no document.
    private func rank(for id: UUID, limit: Int) async throws -> (hits: [SearchHit], docID: Int64)? {
        let sql = try service.database.sql
        guard let row = try await sql.select().column(SQLColumn("doc_id", table: "d"))
            .column(SQLColumn("terms_title", table: "t")).column(SQLColumn("terms_body", table: "t"))
            .from(SQLAlias(SQLIdentifier(SearchSchema.documents), as: SQLIdentifier("d")))
            .join(SQLAlias(SQLIdentifier(SearchSchema.texts), as: SQLIdentifier("t")),
                  on: SQLColumn("doc_id", table: "t"), .equal, SQLColumn("doc_id", table: "d"))
            .where(SQLColumn("id", table: "d"), .equal, SQLBind(id)).first() else { return nil }
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
        return (try await service.top(query, limit: limit, excluding: id), try row.decode(column: "doc_id", as: Int64.self))
    }
}
