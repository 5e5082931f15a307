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

/// Runs searches: the engine matches and ranks; visibility, type and facet
/// filters and every count are the same SQL on both databases, and the
/// reader's visibility applies before anything is counted.
struct SearchService: Sendable {
    let database: any Database
    let reader: Reader
    var now = Date()

    private var engine: any SearchEngine { database.searchEngine }

    func search(_ request: SearchRequest) async throws -> SearchResults {
        guard request.query.isRunnable else { return .empty(request.query) }
        var request = request
        request.query = try await resolvingPrefixes(request.query)
        let sql = try database.sql
        let typeCounts = try await countByType(request.query, on: sql)
        var total = request.type.map { typeCounts[$0] ?? 0 } ?? typeCounts.values.reduce(0, +)
        var facetCounts: [String: [String: Int]] = [:]
        if let type = request.type {
            if !request.filters.isEmpty {
                total = try await count(request.query, type: type, filters: request.filters, on: sql)
            }
            facetCounts = try await countFacets(request, type: type, on: sql)
        }
        guard total > request.offset else {
            return SearchResults(total: total, typeCounts: typeCounts, facetCounts: facetCounts, hits: [], query: request.query)
        }
        let restrict = restriction(type: request.type, filters: request.filters)
        let hits = try await engine.rankedPage(request.query, restrict: restrict, offset: request.offset, limit: request.limit, on: sql)
        return SearchResults(total: total, typeCounts: typeCounts, facetCounts: facetCounts, hits: hits, query: request.query)
    }

    /// How many visible documents a query matches (suggestions check with it).
    func count(_ query: SearchQuery, type: ItemType? = nil, filters: [String: String] = [:]) async throws -> Int {
        guard query.isRunnable else { return 0 }
        return try await count(query, type: type, filters: filters, on: try database.sql)
    }

    /// The best visible matches, for "similar items".
    func top(_ query: SearchQuery, limit: Int, excluding id: UUID) async throws -> [SearchHit] {
        guard query.isRunnable else { return [] }
        let base = restriction(type: nil, filters: [:])
        let restrict: @Sendable (SQLSelectBuilder) -> SQLSelectBuilder = { base($0).where(SQLColumn("id", table: "d"), .notEqual, SQLBind(id)) }
        return try await engine.rankedPage(query, restrict: restrict, offset: 0, limit: limit, on: try database.sql)
    }

    /// The index holds stems, and a typed prefix can run past the stem of the words
    /// it starts ("numériq*" against "numer", the stem of "numérique"): a prefix
    /// that starts no indexed term is shortened until it does, down to four letters.
    func resolvingPrefixes(_ query: SearchQuery) async throws -> SearchQuery {
        var resolved = query
        let sql = try database.sql
        for (index, clause) in query.clauses.enumerated() {
            guard case .prefix(var prefix) = clause.kind else { continue }
            while prefix.count > 4 {
                let upper = prefix + "\u{10FFFF}"
                let found = try await sql.select().column("term").from(SearchSchema.terms)
                    .where("term", .greaterThanOrEqual, SQLBind(prefix)).where("term", .lessThan, SQLBind(upper))
                    .limit(1).first()
                if found != nil { break }
                prefix.removeLast()
            }
            resolved.clauses[index].kind = .prefix(prefix)
        }
        return resolved
    }

    // MARK: - Counting

    private func countByType(_ query: SearchQuery, on sql: any SQLDatabase) async throws -> [ItemType: Int] {
        let rows = try await restriction(type: nil, filters: [:])(engine.matching(query, sql.select()
            .column(SQLColumn("item_type", table: "d")).column(SQLFunction("COUNT", args: SQLLiteral.all), as: "n")))
            .groupBy(SQLColumn("item_type", table: "d")).all()
        var counts: [ItemType: Int] = [:]
        for row in rows {
            guard let type = ItemType(rawValue: try row.decode(column: "item_type", as: String.self)) else { continue }
            counts[type] = try row.decode(column: "n", as: Int.self)
        }
        return counts
    }

    private func count(_ query: SearchQuery, type: ItemType?, filters: [String: String], on sql: any SQLDatabase) async throws -> Int {
        let row = try await restriction(type: type, filters: filters)(engine.matching(query, sql.select()
            .column(SQLFunction("COUNT", args: SQLLiteral.all), as: "n"))).first()
        return try row?.decode(column: "n", as: Int.self) ?? 0
    }

    private func countFacets(_ request: SearchRequest, type: ItemType, on sql: any SQLDatabase) async throws -> [String: [String: Int]] {
        var result: [String: [String: Int]] = [:]
        for facet in FacetCatalog.facets(for: type) {
            var others = request.filters
            others[facet.name] = nil
            if facet.name == "when" {
                var counts: [String: Int] = [:]
                for value in ["upcoming", "past"] {
                    var scoped = others
                    scoped["when"] = value
                    counts[value] = try await count(request.query, type: type, filters: scoped, on: sql)
                }
                result["when"] = counts
                continue
            }
            let matches = restriction(type: type, filters: others)(engine.matching(request.query, sql.select()
                .column(SQLColumn("id", table: "d"))))
            let rows = try await sql.select()
                .column("value").column(SQLFunction("COUNT", args: SQLLiteral.all), as: "n")
                .from(ItemFacet.schema)
                .where("item_type", .equal, SQLBind(type.rawValue))
                .where("facet", .equal, SQLBind(facet.name))
                .where(SQLColumn("item_id"), .in, SQLGroupExpression(matches.select))
                .groupBy("value").all()
            var counts: [String: Int] = [:]
            for row in rows {
                counts[try row.decode(column: "value", as: String.self)] = try row.decode(column: "n", as: Int.self)
            }
            result[facet.name] = counts
        }
        return result
    }

    // MARK: - Restrictions

    /// Visibility for the reader, then the type and its facet filters, on documents aliased `d`.
    func restriction(type: ItemType?, filters: [String: String]) -> @Sendable (SQLSelectBuilder) -> SQLSelectBuilder {
        let visibility = visibilityPredicate(type: type)
        let filterPredicates = filters.sorted { $0.key < $1.key }.compactMap { facet, value in
            type.map { facetPredicate(type: $0, facet: facet, value: value) }
        }
        let typeValue = type?.rawValue
        return { select in
            var select = select.where(visibility)
            if let typeValue { select = select.where(SQLColumn("item_type", table: "d"), .equal, SQLBind(typeValue)) }
            return filterPredicates.reduce(select) { $0.where($1) }
        }
    }

    /// The one visibility rule (`Reader`), applied per type to the documents.
    private func visibilityPredicate(type: ItemType?) -> any SQLExpression {
        if let type { return reader.visibilityPredicate(for: type, table: "d") }
        // Signed out (or an administrator), the rule does not depend on the type.
        if !reader.isSignedIn || reader.seesEverything { return reader.visibilityPredicate(for: .labs, table: "d") }
        let perType: [any SQLExpression] = ItemType.allCases.map { type in
            SQLGroupExpression(SQLBinaryExpression(
                left: SQLBinaryExpression(left: SQLColumn("item_type", table: "d"), op: SQLBinaryOperator.equal, right: SQLBind(type.rawValue)),
                op: SQLBinaryOperator.and, right: reader.visibilityPredicate(for: type, table: "d")))
        }
        return SQLGroupExpression(perType.dropFirst().reduce(perType[0]) { SQLBinaryExpression(left: $0, op: SQLBinaryOperator.or, right: $1) })
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
