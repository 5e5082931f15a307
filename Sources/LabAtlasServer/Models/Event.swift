import Fluent
import Foundation
import LabAtlasCore

final class Event: AtlasModel, @unchecked Sendable {
    static let schema = "events"
    static let itemType = ItemType.events

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
    @OptionalField(key: "description") var description: String?
    @Field(key: "timings") var timings: [Timing]
    /// First begin and last end of `timings`, for "upcoming" queries and sorting.
    @Field(key: "starts_at") var startsAt: Date
    @Field(key: "ends_at") var endsAt: Date
    @OptionalField(key: "place") var place: Place?
    @OptionalField(key: "online_url") var onlineUrl: String?
    @OptionalField(key: "attendance") var attendance: Attendance?
    @Field(key: "status") var status: EventStatus
    @OptionalField(key: "registration_url") var registrationUrl: String?
    @Field(key: "keywords") var keywords: [String]

    init() {}

    /// The fields, listed: Fluent otherwise finds them by reflection on every
    /// row it reads or writes. `ModelPropertiesTests` checks the list.
    var properties: [any AnyProperty] {
        [
            $id, $slug, $visibility, $themes, $extra, $source, $sortKey, $revision, $createdAt, $updatedAt,
            $deletedAt, $title, $description, $timings, $startsAt, $endsAt, $place, $onlineUrl, $attendance,
            $status, $registrationUrl, $keywords
        ]
    }

    var displayTitle: String { title }
}
