import Foundation
import NIOConcurrencyHelpers
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
/// the exclusions), within each scope's facet values. A phrase's candidates
/// are the documents holding all its words; positions are only in the
/// `tsvector`s, so the candidates left after every other condition are
/// checked there, once a search (`PostingMemo`).
struct PostingMatches {
    let database: any SQLDatabase
    var memo = PostingMemo()

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
                case .terms(let terms): for term in terms { keys.insert(title ? Key.title(term) : Key.word(term)) }
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
        let sets = try await memo.sets(keys: keys, prefixes: prefixes, scopes: Array(Set(answerable.flatMap { $0.1.codes }))) {
            try await PostgresPostings(database: database).load(keys: $0, prefixes: $1, scopes: $2)
        }

        func set(_ key: String, _ scope: Int64) -> PostingBitmap { sets[key]?[scope] ?? PostingBitmap() }
        /// A clause's documents, or for a phrase the documents holding all its words.
        func clauseSet(_ clause: SearchQuery.Clause, title: Bool, _ scope: Int64) -> PostingBitmap {
            switch clause.kind {
            case .terms(let terms):
                let each = terms.map { set(title ? Key.title($0) : Key.word($0), scope) }
                return each.dropFirst().reduce(each[0]) { $0.intersection($1) }
            case .prefix(let prefix):
                let start = title ? Key.title(prefix) : Key.word(prefix)
                return sets.reduce(into: PostingBitmap()) { union, entry in
                    if entry.key.utf8.starts(with: start.utf8), let set = entry.value[scope] { union.formUnion(set) }
                }
            }
        }
        func isPhrase(_ clause: SearchQuery.Clause) -> Bool {
            if case .terms(let terms) = clause.kind { terms.count > 1 } else { false }
        }

        // Words, prefixes and facet values first: phrases are then checked among fewer candidates.
        var matches: [Int64: PostingBitmap] = [:]
        var within: [Int64: PostingBitmap?] = [:]
        for (_, scope) in answerable {
            for scopeCode in scope.codes {
                var facetSet: PostingBitmap?
                for (facet, value) in scope.facets {
                    let values = codes[FacetValue(type: scope.type, facet: facet, value: value)].map { set(Key.facet($0, scope: scopeCode), scopeCode) }
                        ?? PostingBitmap()
                    facetSet = facetSet.map { $0.intersection(values) } ?? values
                }
                let plain = query.included.filter { !isPhrase($0) }.map { clauseSet($0, title: false, scopeCode) }
                if query.mode == .all {
                    var base = plain.first.map { first in plain.dropFirst().reduce(first) { $0.intersection($1) } }
                    if let facetSet { base = base.map { $0.intersection(facetSet) } ?? facetSet }
                    within[scopeCode] = base
                } else {
                    matches[scopeCode] = plain.reduce(into: PostingBitmap()) { $0.formUnion($1) }
                    within[scopeCode] = facetSet
                }
            }
        }
        for clause in query.included where isPhrase(clause) {
            guard case .terms(let terms) = clause.kind else { continue }
            var candidates: [Int64: PostingBitmap] = [:]
            for (scopeCode, restriction) in within {
                let holders = clauseSet(clause, title: false, scopeCode)
                candidates[scopeCode] = restriction.map { $0.intersection(holders) } ?? holders
            }
            let found = try await verified(terms, title: false, candidates)
            for (scopeCode, holding) in found {
                if query.mode == .all {
                    within[scopeCode] = holding
                } else {
                    matches[scopeCode, default: PostingBitmap()].formUnion(holding)
                }
            }
        }
        for (scopeCode, restriction) in within {
            if query.mode == .all {
                matches[scopeCode] = restriction ?? PostingBitmap()
            } else if let restriction {
                matches[scopeCode] = matches[scopeCode, default: PostingBitmap()].intersection(restriction)
            }
        }
        for clause in query.excludedClauses {
            var excluded: [Int64: PostingBitmap] = [:]
            for (scopeCode, set) in matches where !set.isEmpty { excluded[scopeCode] = set.intersection(clauseSet(clause, title: false, scopeCode)) }
            if isPhrase(clause), case .terms(let terms) = clause.kind { excluded = try await verified(terms, title: false, excluded) }
            for (scopeCode, set) in excluded { matches[scopeCode] = matches[scopeCode]?.subtracting(set) }
        }
        if titleOnly {
            var inTitle: [Int64: PostingBitmap] = [:]
            for clause in query.included {
                var holders: [Int64: PostingBitmap] = [:]
                for (scopeCode, set) in matches where !set.isEmpty { holders[scopeCode] = set.intersection(clauseSet(clause, title: true, scopeCode)) }
                if isPhrase(clause), case .terms(let terms) = clause.kind { holders = try await verified(terms, title: true, holders) }
                for (scopeCode, set) in holders { inTitle[scopeCode, default: PostingBitmap()].formUnion(set) }
            }
            for scopeCode in matches.keys { matches[scopeCode] = inTitle[scopeCode] ?? PostingBitmap() }
        }

        var result: [Int: [Int64: PostingBitmap]] = [:]
        for (index, scope) in answerable {
            for scopeCode in scope.codes { result[index, default: [:]][scopeCode] = matches[scopeCode] ?? PostingBitmap() }
        }
        return result
    }

    /// The candidates holding the phrase `terms` (in their title with `title`),
    /// checked on the documents' `tsvector`s; each document is checked once a search.
    private func verified(_ terms: [String], title: Bool, _ candidates: [Int64: PostingBitmap]) async throws -> [Int64: PostingBitmap] {
        let phrase = (title ? "t " : "w ") + terms.joined(separator: " ")
        var unchecked: [Int64] = []
        for (scopeCode, set) in candidates {
            unchecked += set.subtracting(memo.phraseChecked(phrase, scope: scopeCode)).highest(Int.max)
                .map { SearchDocID.make(scope: scopeCode, sequence: $0) }
        }
        if !unchecked.isEmpty {
            let column = title ? "title_tsv" : "tsv"
            let row = try await database.raw("""
                SELECT string_agg(CAST(doc_id AS TEXT), ',') AS ids FROM search_docs
                WHERE doc_id = ANY(\(bind: unchecked)) AND \(ident: column) @@ CAST(\(bind: SearchQuery.tsqueryPhrase(.terms(terms))) AS tsquery)
                """).first()
            memo.record(phrase, checked: unchecked, holding: PackedRows.parseNumbers(try row?.decode(column: "ids", as: String?.self)))
        }
        return Dictionary(uniqueKeysWithValues: candidates.map { scopeCode, set in
            (scopeCode, set.intersection(memo.phraseHolding(phrase, scope: scopeCode)))
        })
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
        guard !tally.isEmpty, let type = scope.postings?.type else { return [:] }
        return try await SearchFacetCodes(database: database, postgres: true).labelled(tally, type: type, facets: facets)
    }

    /// `int8send` and `int4send` write big-endian.
    private static func bigEndian(_ bytes: ArraySlice<UInt8>) -> UInt64 {
        bytes.reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
    }

    /// Every clause has a word or a prefix.
    static func answerable(_ query: SearchQuery) -> Bool {
        query.clauses.allSatisfy { clause in
            if case .terms(let terms) = clause.kind { !terms.isEmpty } else { true }
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

/// What one search has read of the posting lists and learnt of its phrases:
/// a search asks for counts, then the newest matches, then those with a word
/// in their title, all of the same query. Never kept past one search, so it
/// never holds what a later write changed.
final class PostingMemo: Sendable {
    private struct State {
        var sets: [String: [Int64: PostingBitmap]] = [:]
        var loaded: Set<String> = []
        var phrases: [String: [Int64: (checked: PostingBitmap, holding: PostingBitmap)]] = [:]
    }

    private let state = NIOLockedValueBox(State())

    /// The sets of `keys` and of the keys starting with `prefixes` in `scopes`, loading only what was not read yet.
    func sets(keys: Set<String>, prefixes: Set<String>, scopes: [Int64],
              load: (Set<String>, Set<String>, [Int64]) async throws -> [String: [Int64: PostingBitmap]]) async throws -> [String: [Int64: PostingBitmap]] {
        func marker(_ name: String, _ scope: Int64) -> String { name + "\u{0}" + String(scope) }
        let loaded = state.withLockedValue { $0.loaded }
        let missingScopes = scopes.filter { scope in
            !keys.allSatisfy { loaded.contains(marker($0, scope)) } || !prefixes.allSatisfy { loaded.contains(marker($0 + "*", scope)) }
        }
        if !missingScopes.isEmpty {
            let read = try await load(keys, prefixes, missingScopes)
            state.withLockedValue { state in
                for (key, byScope) in read { for (scope, set) in byScope { state.sets[key, default: [:]][scope] = set } }
                for scope in missingScopes {
                    for key in keys { state.loaded.insert(marker(key, scope)) }
                    for prefix in prefixes { state.loaded.insert(marker(prefix + "*", scope)) }
                }
            }
        }
        return state.withLockedValue { $0.sets }
    }

    func phraseChecked(_ phrase: String, scope: Int64) -> PostingBitmap {
        state.withLockedValue { $0.phrases[phrase]?[scope]?.checked ?? PostingBitmap() }
    }

    func phraseHolding(_ phrase: String, scope: Int64) -> PostingBitmap {
        state.withLockedValue { $0.phrases[phrase]?[scope]?.holding ?? PostingBitmap() }
    }

    func record(_ phrase: String, checked: [Int64], holding: [Int64]) {
        state.withLockedValue { state in
            for docID in checked {
                state.phrases[phrase, default: [:]][SearchDocID.scope(of: docID), default: (PostingBitmap(), PostingBitmap())]
                    .checked.insert(SearchDocID.sequence(of: docID))
            }
            for docID in holding {
                state.phrases[phrase, default: [:]][SearchDocID.scope(of: docID), default: (PostingBitmap(), PostingBitmap())]
                    .holding.insert(SearchDocID.sequence(of: docID))
            }
        }
    }
}
