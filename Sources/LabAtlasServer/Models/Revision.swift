import Fluent
import Foundation
import LabAtlasCore

/// One saved state of an item: who, when, why, and the full JSON snapshot.
final class Revision: Model, @unchecked Sendable {
    static let schema = "revisions"

    @ID(key: .id) var id: UUID?
    @Field(key: "item_type") var itemType: ItemType
    @Field(key: "item_id") var itemID: UUID
    @Field(key: "number") var number: Int
    @Field(key: "action") var action: RevisionAction
    @OptionalField(key: "author_id") var authorID: UUID?
    @Field(key: "author_name") var authorName: String
    @Field(key: "summary") var summary: String
    /// The item's DTO as JSON text, exactly as the API would have served it.
    @Field(key: "snapshot") var snapshot: String
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    init() {}

    /// The fields, listed: Fluent otherwise finds them by reflection on every row.
    var properties: [any AnyProperty] {
        [
            $id, $itemType, $itemID, $number, $action, $authorID, $authorName, $summary, $snapshot, $createdAt
        ]
    }
}
