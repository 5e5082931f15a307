import Fluent
import Foundation
import LabAtlasCore

/// A reference to another item, as resolved from the link table.
struct ItemRef: Sendable, Hashable, Codable {
    var type: ItemType
    var id: UUID
    var slug: String
    var title: String
    /// Filled for labs, so items linked to a lab can be filtered by region.
    var region: String?

    var path: String { "/\(type.rawValue)/\(slug)" }
}

/// The links of one item, by relation, in their stored order.
struct ResolvedLinks: Sendable {
    var byRelation: [LinkRelation: [ItemRef]] = [:]
    subscript(_ relation: LinkRelation) -> [ItemRef] { byRelation[relation] ?? [] }
}

/// Ties an item type's Fluent model to its DTO: validation, references,
/// mapping both ways and the facet values it files under.
protocol ItemKind: Sendable {
    associatedtype M: AtlasModel
    associatedtype DTO: Codable & Sendable

    static var type: ItemType { get }
    static func validate(_ dto: DTO) -> [FieldError]
    static func slug(of dto: DTO) -> String?
    static func slugSource(of dto: DTO) -> String
    static func commonFields(of dto: DTO) -> CommonFields
    /// The slugs this item points at, per relation and target type.
    static func references(of dto: DTO) -> [(relation: LinkRelation, target: ItemType, field: String, slugs: [String])]
    /// Copies the type's own fields; errors are field errors found while mapping.
    static func apply(_ dto: DTO, to model: M, today: CalendarDate) -> [FieldError]
    static func dto(of model: M, links: ResolvedLinks, inverse: ResolvedLinks) -> DTO
    static func facetValues(of model: M, links: ResolvedLinks) -> [(facet: String, value: String)]
    /// Relations pointing at this type whose sources appear in its DTO (a network's labs).
    static var inverseRelations: [(relation: LinkRelation, source: ItemType)] { get }
    /// The DTO's fields written on other items (a network's labs are each lab's
    /// `networks`), with their slugs: shown, never saved from this item.
    static func writtenElsewhere(_ dto: DTO) -> [FieldWrittenElsewhere]
    /// Blanks contact details (e-mails, phone numbers) for readers who may not see them.
    static func redactContacts(_ dto: inout DTO)
    /// What the search index reads: never a contact field, which not every reader may see.
    static func searchText(of model: M) -> SearchText
}

extension ItemKind {
    static var inverseRelations: [(relation: LinkRelation, source: ItemType)] { [] }
    static func writtenElsewhere(_ dto: DTO) -> [FieldWrittenElsewhere] { [] }
    static func redactContacts(_ dto: inout DTO) {}
}

/// A DTO field that shows links written on other items, the slugs it holds,
/// and what a client that tries to change it here is told.
typealias FieldWrittenElsewhere = (field: String, slugs: [String], message: String)

/// The fields every DTO carries.
struct CommonFields {
    var visibility: Visibility?
    var themes: [String]
    var extra: [String: JSONValue]
    var source: SourceRef?
}

/// Theme (and service) values as stored: vocabulary keys where the input
/// names one, free tags otherwise.
enum ThemeNormaliser {
    static func normalise(_ values: [String]) -> [String] { normalise(values, as: Theme.self) }

    static func normaliseServices(_ values: [String]) -> [String] { normalise(values, as: Service.self) }

    /// Vocabulary values first, in vocabulary order, then free tags as typed: the
    /// same set always reads the same, whatever order a form or import sent it in.
    private static func normalise<V: Vocabulary>(_ values: [String], as vocabulary: V.Type) -> [String] {
        var seen = Set<String>()
        let unique = values.compactMap { raw -> String? in
            let trimmed = raw.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !trimmed.isEmpty else { return nil }
            let value = V.parse(trimmed)?.rawValue ?? trimmed
            return seen.insert(value).inserted ? value : nil
        }
        let known = V.allCases.map(\.rawValue).filter(seen.contains)
        return known + unique.filter { V(rawValue: $0) == nil }
    }
}

extension String {
    /// nil for empty or blank input, so optional text columns hold NULL rather than "".
    var nonBlank: String? {
        let trimmed = trimmingCharacters(in: .whitespacesAndNewlines)
        return trimmed.isEmpty ? nil : trimmed
    }
}

extension Optional where Wrapped == String {
    var nonBlank: String? { self?.nonBlank }
}
