import Fluent
import Foundation
import LabAtlasCore

final class Project: AtlasModel, @unchecked Sendable {
    static let schema = "projects"
    static let itemType = ItemType.projects

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
    @OptionalField(key: "summary") var summary: String?
    @OptionalField(key: "description") var description: String?
    @OptionalField(key: "organisation") var organisation: String?
    @Field(key: "team") var team: [TeamMember]
    @Field(key: "stage") var stage: Stage
    /// The day the current stage began, for sorting and reports.
    @OptionalField(key: "stage_since") var stageSince: String?
    @Field(key: "stage_history") var stageHistory: [StageEntry]
    @Field(key: "decisions") var decisions: [Decision]
    @OptionalField(key: "product_url") var productUrl: String?
    @Field(key: "achievements") var achievements: [Achievement]
    @OptionalField(key: "next_steps") var nextSteps: String?
    @OptionalField(key: "vigilance") var vigilance: String?

    init() {}

    /// The fields, listed: Fluent otherwise finds them by reflection on every
    /// row it reads or writes. `ModelPropertiesTests` checks the list.
    var properties: [any AnyProperty] {
        [
            $id, $slug, $visibility, $themes, $extra, $source, $sortKey, $revision, $createdAt, $updatedAt,
            $deletedAt, $title, $summary, $description, $organisation, $team, $stage, $stageSince,
            $stageHistory, $decisions, $productUrl, $achievements, $nextSteps, $vigilance
        ]
    }

    var displayTitle: String { title }
}
