import Fluent
import Foundation
import SQLKit
import LabAtlasCore

/// "Did you mean": when a query finds nothing, looks for indexed terms a letter
/// or two away from each word that finds nothing alone, and keeps the first
/// correction that makes the whole query find something the reader may see.
struct SpellingSuggester {
    let service: SearchService

    struct Suggestion: Sendable {
        var query: SearchQuery
        var text: String
    }

    func suggest(for query: SearchQuery, type: ItemType?) async throws -> Suggestion? {
        var corrected = query
        var changed = false
        for (index, clause) in query.clauses.enumerated() where !clause.excluded {
            guard case .terms(let terms) = clause.kind, terms.count == 1, let term = terms.first else { continue }
            let alone = SearchQuery(clauses: [clause])
            guard try await service.count(alone, type: type) == 0 else { continue }
            guard let replacement = try await correction(of: term, type: type) else { continue }
            corrected = corrected.replacing(clause: index, with: [replacement.term], words: [replacement.word])
            changed = true
        }
        guard changed, try await service.count(corrected, type: type) > 0 else { return nil }
        return Suggestion(query: corrected, text: corrected.text)
    }

    /// The closest indexed term that finds something visible, with a word that shows it.
    private func correction(of term: String, type: ItemType?) async throws -> (term: String, word: String)? {
        guard term.count >= 3, let first = term.unicodeScalars.first,
              let next = Unicode.Scalar(first.value + 1) else { return nil }
        let limit = term.count <= 5 ? 1 : 2
        let rows = try await service.database.sql.select().column("term").from(SearchSchema.terms)
            .where("doc_count", .greaterThan, SQLBind(0))
            .where("term", .greaterThanOrEqual, SQLBind(String(first)))
            .where("term", .lessThan, SQLBind(String(next)))
            .all()
        var candidates: [(term: String, distance: Int)] = []
        for row in rows {
            let candidate = try row.decode(column: "term", as: String.self)
            guard candidate != term, abs(candidate.count - term.count) <= limit else { continue }
            let distance = EditDistance.distance(term, candidate, limit: limit)
            if distance <= limit { candidates.append((candidate, distance)) }
        }
        // Closest first; among equally close terms, the most common: it is what people usually mean.
        let nearest = candidates.sorted { ($0.distance, $0.term) < ($1.distance, $1.term) }.prefix(24)
        let frequencies = try await SearchStatistics.load(terms: nearest.map(\.term), on: try service.database.sql).documentFrequencies
        let ranked = nearest.sorted {
            ($0.distance, -(frequencies[$0.term] ?? 0), $0.term) < ($1.distance, -(frequencies[$1.term] ?? 0), $1.term)
        }
        for candidate in ranked.prefix(8) {
            let query = SearchQuery(clauses: [.init(kind: .terms([candidate.term]), excluded: false, words: [candidate.term])])
            guard let hit = try await service.top(query, limit: 1, excluding: UUID()).first else { continue }
            // Show a real word of the text, not the stem: "mobilité", not "mobil".
            for text in [hit.title, hit.bodyText] {
                if let token = FrenchAnalyzer.tokens(text).first(where: { $0.term == candidate.term }) {
                    return (candidate.term, text[token.range].lowercased())
                }
            }
        }
        return nil
    }
}
