import Fluent
import Foundation
import LabAtlasCore

/// A relation between two items: lab → network, project → lab, session → method…
/// One table for all of them, so "what points at this lab" is one query.
final class ItemLink: Model, @unchecked Sendable {
    static let schema = "item_links"

    @ID(key: .id) var id: UUID?
    @Field(key: "source_type") var sourceType: ItemType
    @Field(key: "source_id") var sourceID: UUID
    @Field(key: "relation") var relation: LinkRelation
    @Field(key: "target_type") var targetType: ItemType
    @Field(key: "target_id") var targetID: UUID
    @Field(key: "position") var position: Int

    init() {}

    /// The fields, listed: Fluent otherwise finds them by reflection on every row.
    var properties: [any AnyProperty] {
        [
            $id, $sourceType, $sourceID, $relation, $targetType, $targetID, $position
        ]
    }

    init(source: (ItemType, UUID), relation: LinkRelation, target: (ItemType, UUID), position: Int) {
        self.sourceType = source.0
        self.sourceID = source.1
        self.relation = relation
        self.targetType = target.0
        self.targetID = target.1
        self.position = position
    }
}

/// The relations, named like the JSON field that holds them on the source item.
enum LinkRelation: String, Codable, Sendable, CaseIterable {
    case networks   // lab → networks
    case labs       // project, event → labs
    case lab        // experience, session → lab
    case project    // experience, session → project
    case methods    // session → methods
}

/// A derived row per (item, facet, value), rewritten on every save: list
/// filters and facet counts are plain indexed queries on it, alike on both databases.
final class ItemFacet: Model, @unchecked Sendable {
    static let schema = "item_facets"

    @ID(key: .id) var id: UUID?
    @Field(key: "item_type") var itemType: ItemType
    @Field(key: "item_id") var itemID: UUID
    @Field(key: "facet") var facet: String
    @Field(key: "value") var value: String

    init() {}

    /// The fields, listed: Fluent otherwise finds them by reflection on every row.
    var properties: [any AnyProperty] {
        [
            $id, $itemType, $itemID, $facet, $value
        ]
    }

    init(itemType: ItemType, itemID: UUID, facet: String, value: String) {
        self.itemType = itemType
        self.itemID = itemID
        self.facet = facet
        self.value = value
    }
}
