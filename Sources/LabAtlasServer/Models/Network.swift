import Fluent
import Foundation
import LabAtlasCore

final class Network: AtlasModel, @unchecked Sendable {
    static let schema = "networks"
    static let itemType = ItemType.networks

    @ID(key: .id) var id: UUID?
    @Field(key: CommonColumn.slug) var slug: String
    @Field(key: CommonColumn.visibility) var visibility: Visibility
    @Field(key: CommonColumn.themes) var themes: [String]
    @Field(key: CommonColumn.extra) var extra: [String: JSONValue]
    @OptionalField(key: CommonColumn.source) var source: SourceRef?
    @Field(key: CommonColumn.sortKey) var sortKey: String
    @Field(key: CommonColumn.revision) var revision: Int
    @Timestamp(key: CommonColumn.createdAt, on: .create) var createdAt: Date?
    @Timestamp(key: CommonColumn.updatedAt, on: .update) var updatedAt: Date?
    @Timestamp(key: CommonColumn.deletedAt, on: .delete) var deletedAt: Date?

    @Field(key: "name") var name: String
    @OptionalField(key: "description") var description: String?

    init() {}

    /// The fields, listed: Fluent otherwise finds them by reflection on every
    /// row it reads or writes. `ModelPropertiesTests` checks the list.
    var properties: [any AnyProperty] {
        [
            $id, $slug, $visibility, $themes, $extra, $source, $sortKey, $revision, $createdAt, $updatedAt,
            $deletedAt, $name, $description
        ]
    }

    var displayTitle: String { name }
}
