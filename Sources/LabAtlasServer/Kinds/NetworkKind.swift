import Foundation
import LabAtlasCore

enum NetworkKind: ItemKind {
    typealias M = Network
    typealias DTO = NetworkDTO
    static let type = ItemType.networks

    static func validate(_ dto: NetworkDTO) -> [FieldError] { dto.validate() }
    static func slug(of dto: NetworkDTO) -> String? { dto.slug }
    static func slugSource(of dto: NetworkDTO) -> String { dto.name }
    static func commonFields(of dto: NetworkDTO) -> CommonFields {
        CommonFields(visibility: dto.visibility, themes: dto.themes, extra: dto.extra, source: dto.source)
    }
    static func references(of dto: NetworkDTO) -> [(relation: LinkRelation, target: ItemType, field: String, slugs: [String])] { [] }
    static var inverseRelations: [(relation: LinkRelation, source: ItemType)] { [(.networks, .labs)] }
    static func writtenElsewhere(_ dto: NetworkDTO) -> [FieldWrittenElsewhere] {
        [("labs", dto.labs, "Les labs d'un réseau s'indiquent sur chaque lab (son champ « networks ») : ce champ ne se modifie pas ici.")]
    }

    static func apply(_ dto: NetworkDTO, to model: Network, today: CalendarDate) -> [FieldError] {
        model.name = dto.name.trimmingCharacters(in: .whitespacesAndNewlines)
        model.description = dto.description.nonBlank
        return []
    }

    static func dto(of model: Network, links: ResolvedLinks, inverse: ResolvedLinks) -> NetworkDTO {
        var dto = NetworkDTO(name: model.name)
        dto.slug = model.slug
        dto.visibility = model.visibility
        dto.createdAt = model.createdAt
        dto.updatedAt = model.updatedAt
        dto.themes = model.themes
        dto.extra = model.extra
        dto.source = model.source
        dto.description = model.description
        dto.labs = inverse[.networks].map(\.slug)
        return dto
    }

    static func facetValues(of model: Network, links: ResolvedLinks) -> [(facet: String, value: String)] {
        model.themes.map { ("theme", $0) }
    }
}
