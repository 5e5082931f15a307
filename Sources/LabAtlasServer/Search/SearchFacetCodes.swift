import Foundation
import SQLKit
import LabAtlasCore

/// The facet values of indexed documents as codes (`search_facet_codes`, see
/// migration 004): rewritten inside the writer's transaction whenever an
/// item's facets or its search document change, and counted for typed searches
/// by reading one short row per match.
struct SearchFacetCodes {
    let database: any SQLDatabase
    let postgres: Bool
    /// PostgreSQL's posting lists of facet values follow the codes (see `SearchIndexStore`).
    var keepsPostings = true

    private var postingLists: Bool { postgres && keepsPostings }

    static let values = "search_facet_values"
    static let codes = "search_facet_codes"

    /// Rewrites the codes of the indexed documents of these items from `item_facets`.
    func refresh(itemIDs: [UUID]) async throws {
        for start in stride(from: 0, to: itemIDs.count, by: 500) {
            let chunk = Array(itemIDs[start..<min(start + 500, itemIDs.count)])
            let documents = SQLQueryString("doc_id IN (SELECT doc_id FROM search_docs WHERE id IN (\(binds: chunk)))")
            let before = try await postings(documents)
            try await numberNewValues(SQLQueryString("WHERE item_id IN (\(binds: chunk))"))
            try await database.raw("DELETE FROM search_facet_codes WHERE \(documents)").run()
            try await insertCodes(SQLQueryString("WHERE d.id IN (\(binds: chunk))"))
            try await changePostings(from: before, to: try await postings(documents))
        }
    }

    /// Writes the codes of documents just inserted: their numbers are new,
    /// so no code or posting of theirs exists to replace. Their items have
    /// no other document: `upsert` removes it first, rebuilds start empty,
    /// and a document and its texts are always written together.
    func insertForNewDocuments(itemIDs: [UUID]) async throws {
        for start in stride(from: 0, to: itemIDs.count, by: 500) {
            let chunk = Array(itemIDs[start..<min(start + 500, itemIDs.count)])
            try await numberNewValues(SQLQueryString("WHERE item_id IN (\(binds: chunk))"))
            try await insertCodes(SQLQueryString("WHERE d.id IN (\(binds: chunk))"))
            if postingLists {
                try await changePostings(from: [], to: try await postings(
                    SQLQueryString("doc_id IN (SELECT doc_id FROM search_docs WHERE id IN (\(binds: chunk)))")))
            }
        }
    }

    /// Every indexed document's codes, from scratch (the migration that adds them).
    func refreshAll() async throws {
        // SQLite reads ON CONFLICT after a bare SELECT as a join clause: the WHERE settles it.
        try await numberNewValues(SQLQueryString("WHERE 1 = 1"))
        try await database.raw("DELETE FROM search_facet_codes").run()
        try await insertCodes(SQLQueryString(""))
    }

    func remove(docIDs: [Int64]) async throws {
        guard !docIDs.isEmpty else { return }
        let before = try await postings(SQLQueryString("doc_id IN (\(binds: docIDs))"))
        try await database.delete(from: Self.codes).where("doc_id", .in, SQLBind.group(docIDs)).run()
        try await changePostings(from: before, to: [])
    }

    func removeAll() async throws {
        try await database.delete(from: Self.codes).run()
        if postingLists { try await PostgresPostings(database: database).removeAll(prefixes: [PostgresPostings.Key.facetPrefix]) }
    }

    private struct Posting: Hashable {
        var key: String
        var docID: Int64
    }

    /// PostgreSQL's posting lists of facet values (`PostgresPostings`) for the codes of some documents.
    private func postings(_ documents: SQLQueryString) async throws -> Set<Posting> {
        guard postingLists else { return [] }
        var postings = Set<Posting>()
        for row in try await database.raw("SELECT doc_id, codes FROM search_facet_codes WHERE \(documents)").all() {
            let docID = try row.decode(column: "doc_id", as: Int64.self)
            for code in BM25.tokens(try row.decode(column: "codes", as: String.self)).compactMap({ Int64($0) }) {
                postings.insert(Posting(key: PostgresPostings.Key.facet(code, scope: SearchDocID.scope(of: docID)), docID: docID))
            }
        }
        return postings
    }

    private func changePostings(from before: Set<Posting>, to after: Set<Posting>) async throws {
        guard postingLists, before != after else { return }
        try await PostgresPostings(database: database).change(adding: after.subtracting(before).map { ($0.key, $0.docID) },
                                                             removing: before.subtracting(after).map { ($0.key, $0.docID) })
    }

    private func numberNewValues(_ condition: SQLQueryString) async throws {
        try await database.raw("""
            INSERT INTO search_facet_values (item_type, facet, value)
            SELECT DISTINCT item_type, facet, value FROM item_facets \(condition)
            ON CONFLICT DO NOTHING
            """).run()
    }

    private func insertCodes(_ condition: SQLQueryString) async throws {
        let codes = PackedRows.aggregate(SQLRaw("CAST(v.code AS TEXT)"), separator: " ", postgres: postgres)
        // The documents' own facet rows first: joined in one query, PostgreSQL
        // started from every value's rows (111,645 for 500 documents of a
        // 20,000-item atlas, 0.2 s a batch of a bulk load).
        try await database.raw("""
            WITH facet_rows AS MATERIALIZED (
                SELECT d.doc_id, f.item_type, f.facet, f.value FROM search_docs d JOIN item_facets f ON f.item_id = d.id \(condition))
            INSERT INTO search_facet_codes (doc_id, codes)
            SELECT r.doc_id, \(codes) FROM facet_rows r
            JOIN search_facet_values v ON v.item_type = r.item_type AND v.facet = r.facet AND v.value = r.value
            GROUP BY r.doc_id
            """).run()
    }

    /// How many of the documents `matches` selects (a `doc_id` column) hold each
    /// value of `facets`.
    func counts(of matches: SQLSelectBuilder, type: ItemType, facets: Set<String>) async throws -> [String: [String: Int]] {
        // The matches drive the join: SQLite would otherwise consider scanning the codes.
        let row = try await database.select()
            .column(PackedRows.aggregate(SQLColumn("codes", table: "c"), separator: " ", postgres: postgres), as: "codes")
            .from(SQLAlias(SQLGroupExpression(matches.select), as: SQLIdentifier("m")))
            .join(SQLAlias(SQLIdentifier(Self.codes), as: SQLIdentifier("c")),
                  method: postgres ? SQLJoinMethod.inner : SQLRaw("CROSS"),
                  on: SQLColumn("doc_id", table: "c"), .equal, SQLColumn("doc_id", table: "m"))
            .first()
        return try await labelled(Self.tally(try row?.decode(column: "codes", as: String?.self) ?? ""), type: type, facets: facets)
    }

    /// How many documents of `scope` hold each value of `facets`: a range read of
    /// the codes alone when the range decides, joined with the documents otherwise.
    func counts(in scope: SearchScope, type: ItemType, facets: Set<String>) async throws -> [String: [String: Int]] {
        let packed = PackedRows.aggregate(SQLColumn("codes", table: "c"), separator: " ", postgres: postgres)
        let select: SQLSelectBuilder
        if scope.restriction == nil {
            select = database.select().column(packed, as: "codes")
                .from(SQLAlias(SQLIdentifier(Self.codes), as: SQLIdentifier("c")))
                .where(SQLColumn("doc_id", table: "c"), .greaterThanOrEqual, SQLBind(scope.range.lowerBound))
                .where(SQLColumn("doc_id", table: "c"), .lessThanOrEqual, SQLBind(scope.range.upperBound))
        } else {
            // The documents come first, so a facet filter (`d.id IN …`) can pick them
            // through its index; each then reads its codes by number.
            select = scope.apply(database.select().column(packed, as: "codes")
                .from(SQLRaw(postgres ? "search_docs AS d JOIN search_facet_codes AS c ON c.doc_id = d.doc_id"
                                      : "search_docs AS d CROSS JOIN search_facet_codes AS c ON c.doc_id = d.doc_id")),
                docID: SQLColumn("doc_id", table: "d"))
        }
        let row = try await select.first()
        return try await labelled(Self.tally(try row?.decode(column: "codes", as: String?.self) ?? ""), type: type, facets: facets)
    }

    /// Counts by code (`tally`) as counts by facet and value.
    func labelled(_ tally: [Int64: Int], type: ItemType, facets: Set<String>) async throws -> [String: [String: Int]] {
        guard !tally.isEmpty, !facets.isEmpty else { return [:] }
        var result: [String: [String: Int]] = [:]
        for facet in try await labels(type: type, facets: facets) {
            var counts: [String: Int] = [:]
            for (code, value) in zip(facet.codes, facet.values) {
                if let count = tally[code] { counts[value, default: 0] += count }
            }
            if !counts.isEmpty { result[facet.name] = counts }
        }
        return result
    }

    /// Occurrences of each code in a space-separated list.
    static func tally(_ packed: String) -> [Int64: Int] {
        var dense: [Int32] = []
        var sparse: [Int64: Int] = [:]
        PackedFields.forEachInteger(packed) { code in
            // Codes are numbered from 1 as values appear: an array counts them fastest.
            if code >= 0, code < 1 << 20 {
                let index = Int(code)
                if index >= dense.count { dense.append(contentsOf: repeatElement(0, count: index + 1 - dense.count)) }
                dense[index] += 1
            } else {
                sparse[code, default: 0] += 1
            }
        }
        for (index, count) in dense.enumerated() where count > 0 { sparse[Int64(index), default: 0] += Int(count) }
        return sparse
    }

    /// The codes of `facets` of `type` and their values, a row a facet (codes as
    /// a list, values as a JSON array): naming the thousands of codes a typed
    /// search counts (a lab facet), or reading them a row each, took longer than
    /// the rest of the search.
    func labels(type: ItemType, facets: Set<String>) async throws -> [(name: String, codes: [Int64], values: [String])] {
        guard !facets.isEmpty else { return [] }
        let aggregates = postgres
            ? "string_agg(CAST(code AS TEXT), ',' ORDER BY code) AS codes, CAST(json_agg(value ORDER BY code) AS TEXT) AS \"values\""
            : "group_concat(code) AS codes, json_group_array(value) AS \"values\""
        let rows = try await database.select().column("facet").column(SQLRaw(aggregates)).from(Self.values)
            .where("item_type", .equal, SQLBind(type.rawValue))
            .where("facet", .in, SQLBind.group(facets.sorted()))
            .groupBy("facet")
            .all()
        return try rows.map { row in
            let facet = try row.decode(column: "facet", as: String.self)
            let codes = PackedFields.integers(try row.decode(column: "codes", as: String.self))
            guard let values = PackedFields.jsonStrings(try row.decode(column: "values", as: String.self)), codes.count == values.count
            else { throw FacetCodesError.malformedLabels(facet) }
            return (facet, codes, values)
        }
    }
}

enum FacetCodesError: Error, CustomStringConvertible {
    case malformedLabels(String)

    var description: String {
        switch self {
        case .malformedLabels(let facet): "search_facet_values: the codes and values of \(facet) read back do not pair up"
        }
    }
}
