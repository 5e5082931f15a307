import Foundation
import SQLKit
import LabAtlasCore

/// FTS5 over the analyzed terms, with `search_docs` as external content.
///
/// FTS5 cannot read back what an external-content row held when it changes,
/// so every rewrite first deletes the old terms with the `'delete'` command.
struct SQLiteSearchEngine: SearchEngine {
    func upsert(_ documents: [SearchDocument], on database: any SQLDatabase) async throws {
        var fresh: [SearchDocument] = []
        var rewritten: [SearchDocument] = []
        for document in documents {
            let existing = try await database.select().column(SQLColumn("doc_id", table: "d"))
                .column(SQLColumn("terms_title", table: "t")).column(SQLColumn("terms_body", table: "t"))
                .from(SQLAlias(SQLIdentifier(SearchSchema.documents), as: SQLIdentifier("d")))
                .join(SQLAlias(SQLIdentifier(SearchSchema.texts), as: SQLIdentifier("t")),
                      on: SQLColumn("doc_id", table: "t"), .equal, SQLColumn("doc_id", table: "d"))
                .where(SQLColumn("id", table: "d"), .equal, SQLBind(document.id)).first()
            guard let existing else {
                fresh.append(document)
                continue
            }
            let docID = try existing.decode(column: "doc_id", as: Int64.self)
            try await deleteTerms(docID: docID, title: try existing.decode(column: "terms_title", as: String.self),
                                  body: try existing.decode(column: "terms_body", as: String.self), on: database)
            var update = database.update(SearchSchema.documents)
            for (column, value) in zip(SearchColumns.documentColumns, SearchColumns.documentValues(document)) {
                update = update.set(SQLColumn(column), to: value)
            }
            try await update.where("doc_id", .equal, SQLBind(docID)).run()
            try await SearchColumns.updateText(docID, document, on: database)
            try await database.insert(into: "search_fts").columns("rowid", "terms_title", "terms_body")
                .values(SQLBind(docID), SQLBind(document.storedTitleTerms), SQLBind(document.storedBodyTerms)).run()
            rewritten.append(document)
        }
        try await insertNew(fresh, on: database)
        try await SearchColumns.recordTerms(of: rewritten, on: database)
    }

    func insertNew(_ documents: [SearchDocument], on database: any SQLDatabase) async throws {
        guard !documents.isEmpty else { return }
        let last = try await database.select().column(SQLFunction("MAX", args: SQLColumn("doc_id")), as: "last")
            .from(SearchSchema.documents).first()?.decode(column: "last", as: Int64?.self) ?? 0
        // Document ids are given here, not by AUTOINCREMENT, so the text and FTS rows
        // of a batch can be written with them, one statement each.
        for batchStart in stride(from: 0, to: documents.count, by: 200) {
            let batch = Array(documents[batchStart..<min(batchStart + 200, documents.count)])
            let rows = batch.enumerated().map { (last + Int64(batchStart + $0.offset) + 1, $0.element) }
            try await database.insert(into: SearchSchema.documents)
                .columns(["doc_id"] + SearchColumns.documentColumns)
                .valueRows(rows.map { [SQLBind($0.0)] + SearchColumns.documentValues($0.1) })
                .run()
            try await database.insert(into: SearchSchema.texts).columns(SearchColumns.textColumns)
                .valueRows(rows.map { SearchColumns.textValues($0.0, $0.1) })
                .run()
            try await database.insert(into: "search_fts").columns("rowid", "terms_title", "terms_body")
                .valueRows(rows.map { [SQLBind($0.0), SQLBind($0.1.storedTitleTerms), SQLBind($0.1.storedBodyTerms)] })
                .run()
        }
        try await SearchColumns.recordTerms(of: documents, on: database)
    }

    func remove(ids: [UUID], on database: any SQLDatabase) async throws {
        guard !ids.isEmpty else { return }
        let rows = try await database.select().column(SQLColumn("doc_id", table: "d"))
            .column(SQLColumn("terms_title", table: "t")).column(SQLColumn("terms_body", table: "t"))
            .from(SQLAlias(SQLIdentifier(SearchSchema.documents), as: SQLIdentifier("d")))
            .join(SQLAlias(SQLIdentifier(SearchSchema.texts), as: SQLIdentifier("t")),
                  on: SQLColumn("doc_id", table: "t"), .equal, SQLColumn("doc_id", table: "d"))
            .where(SQLColumn("id", table: "d"), .in, SQLBind.group(ids)).all()
        for row in rows {
            let docID = try row.decode(column: "doc_id", as: Int64.self)
            try await deleteTerms(docID: docID, title: try row.decode(column: "terms_title", as: String.self),
                                  body: try row.decode(column: "terms_body", as: String.self), on: database)
            try await database.delete(from: SearchSchema.documents).where("doc_id", .equal, SQLBind(docID)).run()
            try await database.delete(from: SearchSchema.texts).where("doc_id", .equal, SQLBind(docID)).run()
        }
    }

    func removeAll(on database: any SQLDatabase) async throws {
        try await database.raw("INSERT INTO search_fts(search_fts) VALUES ('delete-all')").run()
        try await database.delete(from: SearchSchema.documents).run()
        try await database.delete(from: SearchSchema.texts).run()
    }

    private func deleteTerms(docID: Int64, title: String, body: String, on database: any SQLDatabase) async throws {
        try await database.raw("""
            INSERT INTO search_fts(search_fts, rowid, terms_title, terms_body) VALUES ('delete', \(bind: docID), \(bind: title), \(bind: body))
            """).run()
    }

    func matching(_ query: SearchQuery, _ select: SQLSelectBuilder) -> SQLSelectBuilder {
        let expression = query.fts5Expression() ?? "\"\""
        // The FTS table drives the join: the match is cheap, scanning documents is not.
        return select.from(SQLRaw("search_fts CROSS JOIN search_docs AS d"))
            .where(SQLRaw("d.doc_id = search_fts.rowid"))
            .where(SQLQueryString("search_fts MATCH \(bind: expression)"))
    }

    func rankedPage(_ query: SearchQuery, restrict: @Sendable (SQLSelectBuilder) -> SQLSelectBuilder,
                    offset: Int, limit: Int, on database: any SQLDatabase) async throws -> [SearchHit] {
        let weights = BM25.columnWeights.map { String($0) }.joined(separator: ", ")
        let select = restrict(matching(query, SearchColumns.select(database.select())))
            .column(SQLRaw("bm25(search_fts, \(weights))"), as: "score")
            .orderBy(SQLColumn("score")).orderBy(SQLColumn("doc_id", table: "d"))
            .limit(limit).offset(offset)
        return try await SearchColumns.withTexts(try await select.all().map(SearchColumns.decodeHit), on: database)
    }

    func documentFrequencies(_ terms: [String], on database: any SQLDatabase) async throws -> (frequencies: [String: Int], rows: Int) {
        var frequencies: [String: Int] = [:]
        if !terms.isEmpty {
            for row in try await database.select().column("term").column("doc").from("search_vocab")
                .where("term", .in, SQLBind.group(terms)).all() {
                frequencies[try row.decode(column: "term", as: String.self)] = try row.decode(column: "doc", as: Int.self)
            }
        }
        let rows = try await database.select().column(SQLFunction("COUNT", args: SQLLiteral.all), as: "n")
            .from(SearchSchema.documents).first()?.decode(column: "n", as: Int.self) ?? 0
        return (frequencies, rows)
    }
}
