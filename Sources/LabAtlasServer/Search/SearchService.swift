import Fluent
import Foundation
import SQLKit
import LabAtlasCore

/// A search as the reader asked for it.
struct SearchRequest: Sendable {
    var query: SearchQuery
    var type: ItemType?
    /// Facet filters of `type` (only with a type).
    var filters: [String: String] = [:]
    var offset = 0
    var limit = 20
}

struct SearchResults: Sendable {
    var total: Int
    /// Visible matches per type, whatever the type and facet filters.
    var typeCounts: [ItemType: Int]
    /// With a type: each facet's values and their counts among visible matches (disjunctive).
    var facetCounts: [String: [String: Int]]
    var hits: [SearchHit]
    /// The query as run (prefixes resolved against the index), for highlighting.
    var query: SearchQuery

    static func empty(_ query: SearchQuery) -> SearchResults {
        SearchResults(total: 0, typeCounts: [:], facetCounts: [:], hits: [], query: query)
    }
}

/// Runs searches: the engine matches, counts and walks the index; visibility,
/// type and facet filters are scopes of it (`SearchScope`), and ranking is the
/// same Swift code on both databases.
///
/// Ranking is BM25 (title weighted above body) over a bounded candidate set:
/// every match when there are at most `candidateLimit`, otherwise the
/// `candidateLimit` most recently saved matches and the `titleCandidateLimit`
/// most recently saved matches with a query word in their title (BM25 puts
/// title matches first). Scoring every match of a word held by a tenth of half
/// a million documents costs hundreds of milliseconds on either engine; this
/// costs a few, and ranks exactly whenever a query is specific enough to have
/// few matches. Past the ranked candidates, results follow the newest first.
struct SearchService: Sendable {
    let database: any Database
    let reader: Reader
    var now = Date()

    var candidateLimit = 400
    var titleCandidateLimit = 200

    /// The engine of the search being run: its calls share what they read.
    var sharedEngine: (any SearchEngine)? = nil

    /// A second connection to the same database (`Application.database(besides:)`),
    /// for the parts of a search that can run beside each other.
    var besides: (any Database)? = nil

    private var engine: any SearchEngine { sharedEngine ?? database.searchEngine }

    private func forOneSearch() -> SearchService {
        var service = self
        service.sharedEngine = database.searchEngine.forOneSearch()
        return service
    }

    func search(_ request: SearchRequest) async throws -> SearchResults {
        guard request.query.isRunnable else { return .empty(request.query) }
        guard sharedEngine != nil else { return try await forOneSearch().search(request) }
        var request = request
        request.query = try await resolvingPrefixes(request.query)
        let sql = try database.sql
        var typeCounts: [ItemType: Int] = [:]
        var counted: [(scope: SearchScope, count: Int)] = []
        let everyScope: [(ItemType, SearchScope)] = ItemType.allCases.flatMap { type in self.scopes(type: type, filters: [:]).map { (type, $0) } }
        for ((type, scope), matches) in zip(everyScope, try await engine.counts(request.query, in: everyScope.map { $0.1 }, on: sql)) {
            if matches > 0 { typeCounts[type, default: 0] += matches }
            if request.type == nil || request.type == type { counted.append((scope, matches)) }
        }
        var total = request.type.map { typeCounts[$0] ?? 0 } ?? typeCounts.values.reduce(0, +)
        if let type = request.type, !request.filters.isEmpty {
            let filtered = self.scopes(type: type, filters: request.filters)
            counted = Array(zip(filtered, try await engine.counts(request.query, in: filtered, on: sql)))
            total = counted.reduce(0) { $0 + $1.count }
        }
        // A typed search's facet counts cost as much as its ranking: the ranking
        // runs on the second connection meanwhile. It walks only the scopes with
        // matches (an intersection of common words with none in a type still
        // walks both words' lists there).
        let service = self
        let (query, matches, needed) = (request.query, total, request.offset + request.limit)
        let scopes = total > request.offset ? counted.filter { $0.count > 0 }.map(\.scope) : []
        let besideSQL = try (request.type == nil ? database : besides ?? database).sql
        async let ranking = service.rankedDocIDs(query, scopes: scopes, total: matches, needed: needed, on: besideSQL)
        var facetCounts: [String: [String: Int]] = [:]
        if let type = request.type {
            facetCounts = try await countFacets(request, type: type, on: sql)
        }
        let ranked = try await ranking
        let hits = try await SearchColumns.hits(Array(ranked.dropFirst(request.offset).prefix(request.limit)), on: sql)
        return SearchResults(total: total, typeCounts: typeCounts, facetCounts: facetCounts, hits: hits, query: request.query)
    }

    /// How many visible documents a query matches (suggestions check with it).
    func count(_ query: SearchQuery, type: ItemType? = nil, filters: [String: String] = [:]) async throws -> Int {
        guard query.isRunnable else { return 0 }
        let sql = try database.sql
        let parts = (type.map { [$0] } ?? ItemType.allCases).flatMap { self.scopes(type: $0, filters: type == nil ? [:] : filters) }
        return try await engine.counts(query, in: parts, on: sql).reduce(0, +)
    }

    /// The best visible matches, for "similar items" and suggestions.
    func top(_ query: SearchQuery, limit: Int, excluding id: UUID) async throws -> [SearchHit] {
        guard query.isRunnable else { return [] }
        guard sharedEngine != nil else { return try await forOneSearch().top(query, limit: limit, excluding: id) }
        let sql = try database.sql
        // No counts: the candidates' walk tells whether there are more matches than it took.
        let every = ItemType.allCases.flatMap { self.scopes(type: $0, filters: [:]) }
        let ranked = try await rankedDocIDs(query, scopes: every, total: nil, needed: limit + 1, on: sql)
        return Array(try await SearchColumns.hits(Array(ranked.prefix(limit + 1)), on: sql).filter { $0.id != id }.prefix(limit))
    }

    // MARK: - Ranking

    /// At least the first `needed` matches in result order (fewer when there are fewer).
    /// `total` is the number of matches, nil when not counted.
    private func rankedDocIDs(_ query: SearchQuery, scopes: [SearchScope], total: Int?, needed: Int,
                              on sql: any SQLDatabase) async throws -> [Int64] {
        var candidates = try await engine.newest(query, in: scopes, titleOnly: false, limit: candidateLimit, on: sql)
        // Uncounted, a walk that stopped short of its limit took every match.
        let total = total ?? (candidates.count < candidateLimit ? candidates.count : Int.max)
        if total > candidates.count {
            let titled = try await engine.newest(query, in: scopes, titleOnly: true, limit: titleCandidateLimit, on: sql)
            candidates = Array(Set(candidates).union(titled))
        }
        var ranked = try await rank(query, candidates, on: sql)
        if needed > ranked.count, total > ranked.count {
            let taken = Set(ranked)
            ranked += try await engine.newest(query, in: scopes, titleOnly: false, limit: needed, on: sql).filter { !taken.contains($0) }
        }
        return ranked
    }

    /// BM25 over the candidates' stored terms, with the index's shared statistics; ties by document number.
    private func rank(_ query: SearchQuery, _ candidates: [Int64], on sql: any SQLDatabase) async throws -> [Int64] {
        guard !candidates.isEmpty else { return [] }
        let clauses = query.included.map(\.kind)
        var terms: [String] = []
        var prefixFrequencies: [String: Int64] = [:]
        for clause in clauses {
            switch clause {
            case .terms(let list): terms += list
            case .prefix(let prefix): prefixFrequencies[prefix] = try await SearchStatistics.prefixFrequency(prefix, on: sql)
            }
        }
        let statistics = try await SearchStatistics.load(terms: terms, on: sql)
        let scorer = BM25(clauses: clauses,
                          documentFrequencies: clauses.map { statistics.frequency(of: $0, prefixFrequencies: prefixFrequencies) },
                          rowCount: statistics.rowCount, tokenCount: statistics.tokenCount)
        var scores: [Int64: Double] = [:]
        let postgres = database.isPostgres
        let line = SQLRaw(postgres ? "CAST(doc_id AS TEXT) || chr(9) || terms_title || chr(9) || terms_body"
                                   : "CAST(doc_id AS TEXT) || char(9) || terms_title || char(9) || terms_body")
        for start in stride(from: 0, to: candidates.count, by: 500) {
            let chunk = Array(candidates[start..<min(start + 500, candidates.count)])
            let row = try await sql.select().column(PackedRows.aggregate(line, separator: "\n", postgres: postgres), as: "packed")
                .from(SearchSchema.texts).where("doc_id", .in, PackedRows.numbers(chunk, postgres: postgres)).first()
            for (document, score) in scorer.scores(packed: try row?.decode(column: "packed", as: String?.self) ?? "") {
                scores[document] = score
            }
        }
        return candidates.sorted { (scores[$0] ?? 0, $0) < (scores[$1] ?? 0, $1) }
    }

    /// The index holds stems, and a typed prefix can run past the stem of the words
    /// it starts ("numériq*" against "numer", the stem of "numérique"): a prefix
    /// that starts no indexed term is shortened until it does, down to four letters.
    /// The terms it then starts go with the query when they are few (`prefixExpansions`).
    func resolvingPrefixes(_ query: SearchQuery) async throws -> SearchQuery {
        var resolved = query
        let sql = try database.sql
        for (index, clause) in query.clauses.enumerated() {
            guard case .prefix(var prefix) = clause.kind else { continue }
            var terms: [String]
            repeat {
                terms = try await sql.select().column("term").from(SearchSchema.terms)
                    .where("doc_count", .greaterThan, SQLBind(0))
                    .where("term", .greaterThanOrEqual, SQLBind(prefix)).where("term", .lessThan, SQLBind(prefix + "\u{10FFFF}"))
                    .orderBy("term").limit(SearchQuery.maxPrefixExpansion + 1).all(decoding: TermRow.self).map(\.term)
                if terms.isEmpty, prefix.count > 4 { prefix.removeLast() } else { break }
            } while true
            resolved.clauses[index].kind = .prefix(prefix)
            resolved.prefixExpansions[prefix] = terms
        }
        return resolved
    }

    private struct TermRow: Decodable { var term: String }

    // MARK: - Counting

    private func count(_ query: SearchQuery, type: ItemType, filters: [String: String], on sql: any SQLDatabase) async throws -> Int {
        try await engine.counts(query, in: scopes(type: type, filters: filters), on: sql).reduce(0, +)
    }

    /// Counts per facet value among the visible matches of `type`, each facet
    /// counted without its own filter (disjunctive). Facets whose counts apply
    /// the same filters share one pass over the matches.
    private func countFacets(_ request: SearchRequest, type: ItemType, on sql: any SQLDatabase) async throws -> [String: [String: Int]] {
        var result: [String: [String: Int]] = [:]
        var passes: [[String: String]: [String]] = [:]
        for facet in FacetCatalog.facets(for: type) {
            var others = request.filters
            others[facet.name] = nil
            result[facet.name] = [:]
            if facet.name == "when" {
                for value in ["upcoming", "past"] {
                    var scoped = others
                    scoped["when"] = value
                    result["when", default: [:]][value] = try await count(request.query, type: type, filters: scoped, on: sql)
                }
            } else {
                passes[others, default: []].append(facet.name)
            }
        }
        let codes = SearchFacetCodes(database: sql, postgres: database.isPostgres)
        for (filters, names) in passes.sorted(by: { $0.value.joined() < $1.value.joined() }) {
            for scope in scopes(type: type, filters: filters) {
                let counted: [String: [String: Int]]
                if let answered = try await engine.facetCounts(request.query, in: scope, facets: Set(names), on: sql) {
                    counted = answered
                } else {
                    counted = try await codes.counts(of: engine.matchingDocIDs(request.query, in: scope, on: sql), type: type, facets: Set(names))
                }
                for (facet, values) in counted {
                    for (value, count) in values { result[facet, default: [:]][value, default: 0] += count }
                }
            }
        }
        return result
    }

    // MARK: - Scopes and restrictions

    /// The parts of the index a reader sees of `type`: public documents by their
    /// range alone; for a signed-in reader, the other visibilities under the
    /// reader's rule; everything for an administrator. Facet filters restrict each.
    func scopes(type: ItemType, filters: [String: String]) -> [SearchScope] {
        let facets = filters.sorted { $0.key < $1.key }.map { facetPredicate(type: type, facet: $0.key, value: $0.value) }
        func all(_ predicates: [any SQLExpression]) -> (any SQLExpression)? {
            guard let first = predicates.first else { return nil }
            return predicates.dropFirst().reduce(first) { SQLBinaryExpression(left: $0, op: SQLBinaryOperator.and, right: $1) }
        }
        // A date is not a facet value: a `when` filter needs the items themselves.
        func postings(_ visibilities: [Visibility]) -> PostingScope? {
            filters["when"] == nil ? PostingScope(type: type, visibilities: visibilities, facets: filters) : nil
        }
        if reader.seesEverything {
            return [SearchScope(range: SearchDocID.range(type: type), restriction: all(facets), postings: postings(Array(Visibility.allCases)))]
        }
        var scopes = [SearchScope(range: SearchDocID.range(type: type, visibilities: [.public]), restriction: all(facets),
                                  postings: postings([.public]))]
        if reader.isSignedIn {
            scopes.append(SearchScope(range: SearchDocID.range(type: type, visibilities: [.network, .members]),
                                      restriction: all([reader.visibilityPredicate(for: type, table: "d")] + facets)))
        }
        return scopes
    }

    /// Whether the reader sees this document by its number alone (its type and
    /// visibility), with no condition on the item: for a visitor, a public document.
    func isVisibleWithoutCondition(_ docID: Int64) -> Bool {
        guard let type = SearchDocID.type(of: docID) else { return false }
        return scopes(type: type, filters: [:]).contains { $0.restriction == nil && $0.range.contains(docID) }
    }

    private func facetPredicate(type: ItemType, facet: String, value: String) -> any SQLExpression {
        if facet == "when" {
            return SQLBinaryExpression(left: SQLColumn("id", table: "d"), op: SQLBinaryOperator.in, right: SQLSubquery.select { sub in
                sub.column("id").from(type.table)
                    .where("ends_at", value == "upcoming" ? .greaterThanOrEqual : .lessThan, SQLBind(now))
            })
        }
        return SQLBinaryExpression(left: SQLColumn("id", table: "d"), op: SQLBinaryOperator.in, right: SQLSubquery.select { sub in
            sub.column("item_id").from(ItemFacet.schema)
                .where("item_type", .equal, SQLBind(type.rawValue))
                .where("facet", .equal, SQLBind(facet))
                .where("value", .equal, SQLBind(value))
        })
    }
}
