import Fluent
import Foundation
import SQLKit
import Testing
@testable import LabAtlasServer
import LabAtlasCore

/// Links, facet rows and revisions are inserted through SQLKit from columns
/// listed by hand: the list must name every field of the model, and the rows
/// (their values in the columns' order) must read back through Fluent as
/// Fluent would have written them.
@Suite struct SQLInsertableTests {
    /// What differs between a model's fields and the columns its inserts name.
    static func differences<M: Model & SQLInsertable>(_ type: M.Type) -> [String] {
        let fields = M().properties.compactMap { $0 as? any AnyDatabaseProperty }.flatMap(\.keys).map(\.description)
        var found: [String] = []
        if M.insertColumns.count != Set(M.insertColumns).count { found.append("\(M.self): a column named twice") }
        for missing in Set(fields).subtracting(M.insertColumns) { found.append("\(M.self): field \(missing) not inserted") }
        for extra in Set(M.insertColumns).subtracting(fields) { found.append("\(M.self): column \(extra) is no field") }
        return found
    }

    @Test func everyFieldIsInserted() {
        let found = Self.differences(ItemLink.self) + Self.differences(ItemFacet.self) + Self.differences(Revision.self)
        #expect(found.isEmpty, "\(found)")
    }

    @Test func rowsReadBackThroughFluent() async throws {
        try await withApp { app in
            let sql = try app.db.sql
            let source = UUID(), author = UUID()
            let targets = [UUID(), UUID(), UUID()]
            let links = targets.enumerated().map { ItemLink(source: (.projects, source), relation: .labs, target: (.labs, $1), position: $0) }
            let facet = ItemFacet(itemType: .projects, itemID: source, facet: "stage", value: "exploration")
            let revision = Revision()
            revision.itemType = .projects
            revision.itemID = source
            revision.number = 3
            revision.action = .restore
            revision.authorID = author
            revision.authorName = "Camille Martin"
            revision.summary = "Restauration de la révision 1"
            revision.snapshot = #"{"title":"Atelier « usagers »"}"#
            let anonymous = Revision()
            anonymous.itemType = .labs
            anonymous.itemID = targets[0]
            anonymous.number = 1
            anonymous.action = .create
            anonymous.authorName = "LabAtlas"
            anonymous.summary = "Création"
            anonymous.snapshot = "{}"
            let before = Date()
            try await links.insert(on: sql, batchesOf: 2)
            try await [facet].insert(on: sql)
            try await [revision, anonymous].insert(on: sql)

            let readLinks = try await ItemLink.query(on: app.db).filter(\.$sourceID == source).sort(\.$position).all()
            #expect(readLinks.map(\.position) == [0, 1, 2] && readLinks.map(\.targetID) == targets)
            #expect(readLinks.allSatisfy { $0.sourceType == .projects && $0.relation == .labs && $0.targetType == .labs })
            #expect(Set(readLinks.compactMap(\.id)).count == 3)
            let readFacet = try #require(try await ItemFacet.query(on: app.db).filter(\.$itemID == source).first())
            #expect(readFacet.itemType == .projects && readFacet.facet == "stage" && readFacet.value == "exploration")
            let read = try await RevisionLog(database: app.db).revisions(of: source)
            #expect(read.count == 1)
            let first = try #require(read.first)
            #expect(first.itemType == .projects && first.number == 3 && first.action == .restore && first.authorID == author)
            #expect(first.authorName == "Camille Martin" && first.summary == "Restauration de la révision 1")
            #expect(first.snapshot == #"{"title":"Atelier « usagers »"}"#)
            let createdAt = try #require(first.createdAt)
            #expect(abs(createdAt.timeIntervalSince(before)) < 60)
            let other = try #require(try await RevisionLog(database: app.db).revision(1, of: targets[0]))
            #expect(other.authorID == nil && other.createdAt != nil)
        }
    }
}
