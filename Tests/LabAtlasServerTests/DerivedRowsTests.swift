import Foundation
import Testing
import Vapor
import Fluent
import SQLKit
@testable import LabAtlasServer
import LabAtlasCore

/// A save writes its item's facet rows and search document from the item
/// and links it has just written (a new item has nothing to replace): what
/// it writes is exactly what rebuilding every facet row and document from
/// the database gives.
@Suite struct DerivedRowsTests {
    /// Facet rows, documents, their facet codes (as values), texts, term counts
    /// and totals, keyed by item rather than by document number (a rebuild renumbers).
    static func snapshot(_ app: Application) async throws -> [String] {
        let sql = try app.db.sql
        var lines: [String] = []
        for row in try await sql.raw("SELECT item_id, facet, value FROM item_facets").all() {
            lines.append("facet \(try row.decode(column: "item_id", as: UUID.self)) \(try row.decode(column: "facet", as: String.self))=\(try row.decode(column: "value", as: String.self))")
        }
        for row in try await sql.raw("""
            SELECT d.id, d.item_type, d.slug, d.title, d.visibility, d.term_count, t.body_text, t.terms_title, t.terms_body, c.codes
            FROM search_docs d JOIN search_texts t ON t.doc_id = d.doc_id LEFT JOIN search_facet_codes c ON c.doc_id = d.doc_id
            """).all() {
            let codes = try row.decode(column: "codes", as: String?.self) ?? ""
            var values: [String] = []
            for code in codes.split(separator: " ").compactMap({ Int64($0) }) {
                let value = try await sql.raw("SELECT facet, value FROM search_facet_values WHERE code = \(bind: code)").first()
                values.append("\(try value?.decode(column: "facet", as: String.self) ?? "?")=\(try value?.decode(column: "value", as: String.self) ?? "?")")
            }
            lines.append(["document", try row.decode(column: "id", as: UUID.self).uuidString,
                          try row.decode(column: "item_type", as: String.self), try row.decode(column: "slug", as: String.self),
                          try row.decode(column: "title", as: String.self), try row.decode(column: "visibility", as: String.self),
                          String(try row.decode(column: "term_count", as: Int.self)), try row.decode(column: "body_text", as: String.self),
                          try row.decode(column: "terms_title", as: String.self), try row.decode(column: "terms_body", as: String.self),
                          values.sorted().joined(separator: ",")].joined(separator: " | "))
        }
        for row in try await sql.raw("SELECT term, doc_count FROM search_terms WHERE doc_count > 0").all() {
            lines.append("term \(try row.decode(column: "term", as: String.self)) \(try row.decode(column: "doc_count", as: Int64.self))")
        }
        let totals = try #require(try await sql.raw("SELECT row_count, token_count FROM search_stats WHERE id = 1").first())
        lines.append("totals \(try totals.decode(column: "row_count", as: Int64.self)) \(try totals.decode(column: "token_count", as: Int64.self))")
        return lines.sorted()
    }

    @Test func savesWriteWhatARebuildWould() async throws {
        try await withApp { app in
            _ = try await DemoLoader(database: app.db).load()
            // Updates too: links replaced, a lab's new region filed under its items, a text rewritten.
            let writer = ItemWriter(database: app.db)
            let lab = try #require(try await Lab.query(on: app.db).first())
            var labDTO = LabKind.dto(of: lab, links: ResolvedLinks(), inverse: ResolvedLinks())
            labDTO.region = "Corse"
            try await writer.save(LabKind.self, labDTO, existing: lab)
            let project = try #require(try await Project.query(on: app.db).first())
            var projectDTO = ProjectKind.dto(of: project, links: ResolvedLinks(), inverse: ResolvedLinks())
            projectDTO.summary = "Un résumé réécrit pour voir."
            projectDTO.labs = [lab.slug]
            try await writer.save(ProjectKind.self, projectDTO, existing: project)

            let saved = try await Self.snapshot(app)
            #expect(saved.contains { $0.hasPrefix("facet") } && saved.contains { $0.hasPrefix("document") })
            try await app.db.writeTransaction { transaction in
                try await FacetIndexer(database: transaction).rebuildAll()
                _ = try await SearchIndexer(database: transaction).rebuildAll()
            }
            let rebuilt = try await Self.snapshot(app)
            #expect(saved.count == rebuilt.count)
            for (line, other) in zip(saved, rebuilt) where line != other {
                Issue.record("saved: \(line)\nrebuilt: \(other)")
                break
            }
        }
    }
}
