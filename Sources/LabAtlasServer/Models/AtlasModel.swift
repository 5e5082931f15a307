import Fluent
import Foundation
import LabAtlasCore

/// What every item table shares: a slug, a visibility, themes, `extra`,
/// `source`, timestamps and a revision number (the API's ETag).
protocol AtlasModel: Model, Sendable where IDValue == UUID {
    static var itemType: ItemType { get }
    var slug: String { get set }
    var visibility: Visibility { get set }
    var themes: [String] { get set }
    var extra: [String: JSONValue] { get set }
    var source: SourceRef? { get set }
    var sortKey: String { get set }
    var revision: Int { get set }
    var createdAt: Date? { get }
    var updatedAt: Date? { get }
    var deletedAt: Date? { get set }
    /// The name or title shown for the item.
    var displayTitle: String { get }
}

extension AtlasModel {
    var requiredID: UUID {
        get throws {
            guard let id else { throw FluentError.idRequired }
            return id
        }
    }
}

/// Column names shared by every item table, so raw SQLKit queries and
/// migrations spell them once.
enum CommonColumn {
    static let id: FieldKey = "id"
    static let slug: FieldKey = "slug"
    static let visibility: FieldKey = "visibility"
    static let themes: FieldKey = "themes"
    static let extra: FieldKey = "extra"
    static let source: FieldKey = "source"
    static let sortKey: FieldKey = "sort_key"
    static let revision: FieldKey = "revision"
    static let createdAt: FieldKey = "created_at"
    static let updatedAt: FieldKey = "updated_at"
    static let deletedAt: FieldKey = "deleted_at"
}

extension SchemaBuilder {
    /// Adds the columns of `AtlasModel`.
    func atlasCommonFields() -> Self {
        self.id()
            .field(CommonColumn.slug, .string, .required)
            .unique(on: CommonColumn.slug)
            .field(CommonColumn.visibility, .string, .required)
            .field(CommonColumn.themes, .array(of: .string), .required)
            .field(CommonColumn.extra, .json, .required)
            .field(CommonColumn.source, .json)
            .field(CommonColumn.sortKey, .string, .required)
            .field(CommonColumn.revision, .int, .required)
            .field(CommonColumn.createdAt, .datetime)
            .field(CommonColumn.updatedAt, .datetime)
    }
}
