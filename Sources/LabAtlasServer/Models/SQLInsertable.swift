import Fluent
import Foundation
import SQLKit
import LabAtlasCore

/// A row a save writes many of (links, facet values, revisions), inserted
/// through SQLKit from values listed once: Fluent's `create` reflects over
/// each model, converts a query per batch and fills in every field on the
/// writer's thread, while the save holds the write lock.
protocol SQLInsertable {
    static var schema: String { get }
    static var insertColumns: [String] { get }
    /// Values in the order of `insertColumns`.
    var insertValues: [any SQLExpression] { get }
}

extension Array where Element: SQLInsertable {
    /// Inserts the rows a batch at a time, one statement a batch.
    func insert(on database: any SQLDatabase, batchesOf size: Int = 200) async throws {
        for start in stride(from: 0, to: count, by: size) {
            try await database.insert(into: Element.schema).columns(Element.insertColumns)
                .valueRows(self[start..<Swift.min(start + size, count)].map(\.insertValues))
                .run()
        }
    }
}

extension ItemLink: SQLInsertable {
    static let insertColumns = ["id", "source_type", "source_id", "relation", "target_type", "target_id", "position"]
    var insertValues: [any SQLExpression] {
        [SQLBind(id ?? UUID.random()), SQLBind(sourceType.rawValue), SQLBind(sourceID), SQLBind(relation.rawValue),
         SQLBind(targetType.rawValue), SQLBind(targetID), SQLBind(position)]
    }
}

extension ItemFacet: SQLInsertable {
    static let insertColumns = ["id", "item_type", "item_id", "facet", "value"]
    var insertValues: [any SQLExpression] {
        [SQLBind(id ?? UUID.random()), SQLBind(itemType.rawValue), SQLBind(itemID), SQLBind(facet), SQLBind(value)]
    }
}

extension Revision: SQLInsertable {
    static let insertColumns = ["id", "item_type", "item_id", "number", "action", "author_id", "author_name",
                                "summary", "snapshot", "created_at"]
    var insertValues: [any SQLExpression] {
        [SQLBind(id ?? UUID.random()), SQLBind(itemType.rawValue), SQLBind(itemID), SQLBind(number), SQLBind(action.rawValue),
         SQLBind(authorID), SQLBind(authorName), SQLBind(summary), SQLBind(snapshot), SQLBind(createdAt ?? Date())]
    }
}
