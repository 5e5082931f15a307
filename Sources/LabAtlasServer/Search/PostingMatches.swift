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
                guard let code = codes[FacetValue(type: scope.type, facet: facet, value: value)] else { continue }
                for scopeCode in scope.codes { keys.insert(Key.facet(code, scope: scopeCode)) }
            }
        }
        let sets = try await PostgresPostings(database: database)
            .load(keys: keys, prefixes: prefixes, scopes: Array(Set(answerable.flatMap { $0.1.codes })))

        var result: [Int: [Int64: PostingBitmap]] = [:]
        for (index, scope) in answerable {
            for scopeCode in scope.codes {
                func set(_ key: String) -> PostingBitmap { sets[key]?[scopeCode] ?? PostingBitmap() }
                func clauseSet(_ clause: SearchQuery.Clause, title: Bool) -> PostingBitmap {
                    switch clause.kind {
                    case .terms(let terms):
                        return set(title ? Key.title(terms[0]) : Key.word(terms[0]))
                    case .prefix(let prefix):
                        let start = title ? Key.title(prefix) : Key.word(prefix)
                        return sets.reduce(into: PostingBitmap()) { union, entry in
                            if entry.key.utf8.starts(with: start.utf8), let set = entry.value[scopeCode] { union.formUnion(set) }
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
                    matches = matches.intersection(code.map { set(Key.facet($0, scope: scopeCode)) } ?? PostingBitmap())
                }
                result[index, default: [:]][scopeCode] = matches
            }
        }
        return result
    }

    /// Counts per value of `facets` among the matches of `scope` (values with
    /// none are left out); nil when the posting lists cannot answer the query.
    ///
    /// A facet such as `lab` has thousands of values, each with its own small
    /// sets: a scope's values are one range of the key, they come back as one
    /// row (a row costs more than its bytes), and are counted against the
    /// matches in place.
    func facetCounts(_ query: SearchQuery, in scope: SearchScope, facets: Set<String>) async throws -> [String: [String: Int]]? {
        guard scope.postings != nil, !facets.isEmpty,
              let matches = try await evaluate(query, in: [scope], titleOnly: false)[0] else { return nil }
        let scopes = matches.filter { !$0.value.isEmpty }.map(\.key)
        guard !scopes.isEmpty else { return [:] }
        var tally: [Int64: Int] = [:]
        for scope in scopes {
            guard let set = matches[scope] else { continue }
            let prefix = Key.facetsPrefix(scope: scope)
            // Each value as its code (8 bytes), its set's length (4 bytes), then its set.
            let row = try await database.raw("""
                SELECT string_agg(int8send(CAST(substr(key, CAST(\(bind: prefix.utf8.count + 1) AS INTEGER)) AS BIGINT))
                    || int4send(length(bits)) || bits, ''::bytea) AS sets
                FROM search_bitmaps WHERE key >= \(bind: prefix) AND key < \(bind: prefix + "\u{10FFFF}")
                """).first()
            let bytes = [UInt8](try row?.decode(column: "sets", as: Data?.self) ?? Data())
            var index = 0
            while index < bytes.count {
                guard bytes.count - index >= 12 else { throw PostingsError.malformedContainer(prefix) }
                let code = Int64(bitPattern: Self.bigEndian(bytes[index..<index + 8]))
                let length = Int(Self.bigEndian(bytes[index + 8..<index + 12]))
                guard bytes.count - index - 12 >= length,
                      let count = set.intersectionCount(encoded: bytes[index + 12..<index + 12 + length])
                else { throw PostingsError.malformedContainer(prefix + String(code)) }
                if count > 0 { tally[code, default: 0] += count }
                index += 12 + length
            }
        }
        return try await SearchFacetCodes(database: database, postgres: true).labelled(tally, facets: facets)
    }

    /// `int8send` and `int4send` write big-endian.
    private static func bigEndian(_ bytes: ArraySlice<UInt8>) -> UInt64 {
        bytes.reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
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
