import Fluent
import Foundation
import LabAtlasCore

/// A facilitation or design tool. Named `FacilitationMethod` to stay clear of HTTP methods.
final class FacilitationMethod: AtlasModel, @unchecked Sendable {
    static let schema = "methods"
    static let itemType = ItemType.methods

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
    @Field(key: "category") var category: MethodCategory
    @OptionalField(key: "description") var description: String?
    @OptionalField(key: "duration_minutes") var durationMinutes: Int?
    @OptionalField(key: "group_size") var groupSize: String?
    @OptionalField(key: "materials") var materials: String?
    @OptionalField(key: "remote_ok") var remoteOk: Bool?

    init() {}

    /// The fields, listed: Fluent otherwise finds them by reflection on every
    /// row it reads or writes. `ModelPropertiesTests` checks the list.
    var properties: [any AnyProperty] {
        [
            $id, $slug, $visibility, $themes, $extra, $source, $sortKey, $revision, $createdAt, $updatedAt,
            $deletedAt, $name, $category, $description, $durationMinutes, $groupSize, $materials, $remoteOk
        ]
    }

    var displayTitle: String { name }
}
