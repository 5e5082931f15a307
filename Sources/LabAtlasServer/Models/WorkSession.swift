import Fluent
import Foundation
import LabAtlasCore

/// A collaborative work session. Named `WorkSession` so it never meets
/// Vapor's HTTP `Session`; its table is `work_sessions` for the same reason.
final class WorkSession: AtlasModel, @unchecked Sendable {
    static let schema = "work_sessions"
    static let itemType = ItemType.sessions

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

    @Field(key: "title") var title: String
    /// `YYYY-MM-DD`, so text order is date order on both databases.
    @Field(key: "date") var date: String
    @OptionalField(key: "nature") var nature: SessionNature?
    @OptionalField(key: "level") var level: Int?
    @OptionalField(key: "format") var format: SessionFormat?
    @OptionalField(key: "participants") var participants: Int?
    @OptionalField(key: "outcome") var outcome: String?
    @OptionalField(key: "retrospective") var retrospective: String?

    init() {}

    /// The fields, listed: Fluent otherwise finds them by reflection on every
    /// row it reads or writes. `ModelPropertiesTests` checks the list.
    var properties: [any AnyProperty] {
        [
            $id, $slug, $visibility, $themes, $extra, $source, $sortKey, $revision, $createdAt, $updatedAt,
            $deletedAt, $title, $date, $nature, $level, $format, $participants, $outcome, $retrospective
        ]
    }

    var displayTitle: String { title }
}
