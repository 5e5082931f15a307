import Foundation
import SQLKit
import LabAtlasCore

/// What a search scope holds, for an engine that keeps posting lists per
/// (type, visibility): absent from a scope whose restriction needs the
/// documents themselves (a signed-in reader's rule, a date).
struct PostingScope: Sendable {
    var type: ItemType
    var visibilities: [Visibility]
    /// Facet filters (facet → value).
    var facets: [String: String]

    var codes: [Int64] { visibilities.map { SearchDocID.scope(type: type, visibility: $0) } }
}

/// A query answered from PostgreSQL's posting lists (`PostgresPostings`): its
/// words and prefixes are sets, combined as the query says (all or any, minus
/// the exclusions), within each scope's facet values. Phrases need positions,
/// which only the `tsvector`s hold: a query with one is not answered here.
struct PostingMatches {
    let database: any SQLDatabase

    private typealias Key = PostgresPostings.Key

    /// The matches in each scope the posting lists can answer, by the scope's
    /// index, then by `SearchDocID.scope`. `titleOnly` keeps the matches with an
    /// included clause in their title.
    func evaluate(_ query: SearchQuery, in scopes: [SearchScope], titleOnly: Bool) async throws -> [Int: [Int64: PostingBitmap]] {
        guard query.isRunnable, Self.answerable(query) else { return [:] }
        let answerable = scopes.indices.compactMap { index in scopes[index].postings.map { (index, $0) } }
        guard !answerable.isEmpty else { return [:] }
        let codes = try await facetCodes(answerable.map(\.1))
        var keys = Set<String>()
        var prefixes = Set<String>()
        for clause in query.clauses {
            for title in titleOnly && !clause.excluded ? [false, true] : [false] {
                switch clause.kind {
                case .terms(let terms): keys.insert(title ? Key.title(terms[0]) : Key.word(terms[0]))
                case .prefix(let prefix): prefixes.insert(title ? Key.title(prefix) : Key.word(prefix))
                }
            }
        }
        for (_, scope) in answerable {
            for (facet, value) in scope.facets {
                if let code = codes[FacetValue(type: scope.type, facet: facet, value: value)] { keys.insert(Key.facet(code)) }
            }
        }
        let sets = try await PostgresPostings(database: database)
            .load(keys: keys, prefixes: prefixes, scopes: Array(Set(answerable.flatMap { $0.1.codes })))

        var result: [Int: [Int64: PostingBitmap]] = [:]
        for (index, scope) in answerable {
            for code in scope.codes {
                func set(_ key: String) -> PostingBitmap { sets[key]?[code] ?? PostingBitmap() }
                func clauseSet(_ clause: SearchQuery.Clause, title: Bool) -> PostingBitmap {
                    switch clause.kind {
                    case .terms(let terms):
                        return set(title ? Key.title(terms[0]) : Key.word(terms[0]))
                    case .prefix(let prefix):
                        let start = title ? Key.title(prefix) : Key.word(prefix)
                        return sets.reduce(into: PostingBitmap()) { union, entry in
                            if entry.key.utf8.starts(with: start.utf8), let set = entry.value[code] { union.formUnion(set) }
                        }
                    }
                }
                let included = query.included.map { clauseSet($0, title: false) }
                var matches = query.mode == .all
                    ? included.dropFirst().reduce(included[0]) { $0.intersection($1) }
                    : included.reduce(into: PostingBitmap()) { $0.formUnion($1) }
                for clause in query.excludedClauses where !matches.isEmpty { matches = matches.subtracting(clauseSet(clause, title: false)) }
                if titleOnly, !matches.isEmpty {
                    matches = matches.intersection(query.included.reduce(into: PostingBitmap()) { $0.formUnion(clauseSet($1, title: true)) })
                }
                for (facet, value) in scope.facets where !matches.isEmpty {
                    let code = codes[FacetValue(type: scope.type, facet: facet, value: value)]
                    matches = matches.intersection(code.map { set(Key.facet($0)) } ?? PostingBitmap())
                }
                result[index, default: [:]][code] = matches
            }
        }
        return result
    }

    /// Counts per value of `facets` among the matches of `scope` (values with
    /// none are left out); nil when the posting lists cannot answer the query.
    func facetCounts(_ query: SearchQuery, in scope: SearchScope, facets: Set<String>) async throws -> [String: [String: Int]]? {
        guard let postingScope = scope.postings, !facets.isEmpty,
              let matches = try await evaluate(query, in: [scope], titleOnly: false)[0] else { return nil }
        let rows = try await database.select().column("code").column("facet").column("value").from(SearchFacetCodes.values)
            .where("item_type", .equal, SQLBind(postingScope.type.rawValue))
            .where("facet", .in, SQLBind.group(facets.sorted())).all()
        var labels: [Int64: (facet: String, value: String)] = [:]
        for row in rows {
            labels[try row.decode(column: "code", as: Int64.self)] =
                (try row.decode(column: "facet", as: String.self), try row.decode(column: "value", as: String.self))
        }
        var counts: [String: [String: Int]] = [:]
        guard matches.values.contains(where: { !$0.isEmpty }), !labels.isEmpty else { return counts }
        let sets = try await PostgresPostings(database: database)
            .load(keys: Set(labels.keys.map(Key.facet)), scopes: matches.filter { !$0.value.isEmpty }.map(\.key))
        for (code, label) in labels {
            let holders = sets[Key.facet(code)] ?? [:]
            let count = matches.reduce(0) { total, entry in total + (holders[entry.key].map { $0.intersectionCount(entry.value) } ?? 0) }
            if count > 0 { counts[label.facet, default: [:]][label.value] = count }
        }
        return counts
    }

    /// Words and prefixes only: a phrase is matched on positions.
    static func answerable(_ query: SearchQuery) -> Bool {
        query.clauses.allSatisfy { clause in
            if case .terms(let terms) = clause.kind { terms.count == 1 } else { true }
        }
    }

    private struct FacetValue: Hashable {
        var type: ItemType
        var facet: String
        var value: String
    }

    /// The codes of the scopes' facet filters; a value never seen has none (and no match).
    private func facetCodes(_ scopes: [PostingScope]) async throws -> [FacetValue: Int64] {
        let wanted = Set(scopes.flatMap { scope in scope.facets.map { FacetValue(type: scope.type, facet: $0.key, value: $0.value) } })
        guard !wanted.isEmpty else { return [:] }
        let rows = try await database.select().column("code").column("item_type").column("facet").column("value")
            .from(SearchFacetCodes.values)
            .where("item_type", .in, SQLBind.group(Set(wanted.map(\.type.rawValue)).sorted()))
            .where("facet", .in, SQLBind.group(Set(wanted.map(\.facet)).sorted()))
            .where("value", .in, SQLBind.group(Set(wanted.map(\.value)).sorted())).all()
        var codes: [FacetValue: Int64] = [:]
        for row in rows {
            guard let type = ItemType(rawValue: try row.decode(column: "item_type", as: String.self)) else { continue }
            let value = FacetValue(type: type, facet: try row.decode(column: "facet", as: String.self),
                                   value: try row.decode(column: "value", as: String.self))
            if wanted.contains(value) { codes[value] = try row.decode(column: "code", as: Int64.self) }
        }
        return codes
    }
}
