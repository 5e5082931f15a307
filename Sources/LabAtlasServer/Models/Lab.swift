import Fluent
import Foundation
import LabAtlasCore

final class Lab: AtlasModel, @unchecked Sendable {
    static let schema = "labs"
    static let itemType = ItemType.labs

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
    @OptionalField(key: "host_organisation") var hostOrganisation: String?
    @OptionalField(key: "government_level") var governmentLevel: GovernmentLevel?
    @OptionalField(key: "region") var region: String?
    @OptionalField(key: "city") var city: String?
    @OptionalField(key: "postal_code") var postalCode: String?
    @OptionalField(key: "latitude") var latitude: Double?
    @OptionalField(key: "longitude") var longitude: Double?
    @OptionalField(key: "maturity") var maturity: Maturity?
    @OptionalField(key: "launch_date") var launchDate: String?
    @OptionalField(key: "team") var team: String?
    @Field(key: "services") var services: [String]
    @OptionalField(key: "highlight") var highlight: String?
    @OptionalField(key: "objectives") var objectives: String?
    @OptionalField(key: "website") var website: String?
    @OptionalField(key: "contact") var contact: String?

    init() {}

    /// The fields, listed: Fluent otherwise finds them by reflection on every
    /// row it reads or writes. `ModelPropertiesTests` checks the list.
    var properties: [any AnyProperty] {
        [
            $id, $slug, $visibility, $themes, $extra, $source, $sortKey, $revision, $createdAt, $updatedAt,
            $deletedAt, $name, $hostOrganisation, $governmentLevel, $region, $city, $postalCode, $latitude,
            $longitude, $maturity, $launchDate, $team, $services, $highlight, $objectives, $website, $contact
        ]
    }

    var displayTitle: String { name }
}
