import Fluent
import Foundation
import LabAtlasCore

/// A write-up [fiche d'expérience]; its lab and project are links.
final class Experience: AtlasModel, @unchecked Sendable {
    static let schema = "experiences"
    static let itemType = ItemType.experiences

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
    @OptionalField(key: "cooperation") var cooperation: Cooperation?
    @Field(key: "audiences") var audiences: [String]
    @OptionalField(key: "audiences_other") var audiencesOther: String?
    @OptionalField(key: "description") var description: String?
    @OptionalField(key: "went_well") var wentWell: String?
    @OptionalField(key: "went_badly") var wentBadly: String?
    @OptionalField(key: "advice") var advice: String?
    @OptionalField(key: "link") var link: String?
    @OptionalField(key: "link_shareable") var linkShareable: Bool?
    @OptionalField(key: "pilot") var pilot: String?
    @OptionalField(key: "pilot_contact") var pilotContact: String?
    @OptionalField(key: "year") var year: Int?

    init() {}

    /// The fields, listed: Fluent otherwise finds them by reflection on every
    /// row it reads or writes. `ModelPropertiesTests` checks the list.
    var properties: [any AnyProperty] {
        [
            $id, $slug, $visibility, $themes, $extra, $source, $sortKey, $revision, $createdAt, $updatedAt,
            $deletedAt, $title, $cooperation, $audiences, $audiencesOther, $description, $wentWell, $wentBadly,
            $advice, $link, $linkShareable, $pilot, $pilotContact, $year
        ]
    }

    var displayTitle: String { title }
}
