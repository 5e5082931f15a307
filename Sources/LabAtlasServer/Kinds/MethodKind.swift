import Foundation
import LabAtlasCore

enum MethodKind: ItemKind {
    typealias M = FacilitationMethod
    typealias DTO = MethodDTO
    static let type = ItemType.methods

    static func validate(_ dto: MethodDTO) -> [FieldError] { dto.validate() }
    static func slug(of dto: MethodDTO) -> String? { dto.slug }
    static func slugSource(of dto: MethodDTO) -> String { dto.name }
    static func commonFields(of dto: MethodDTO) -> CommonFields {
        CommonFields(visibility: dto.visibility, themes: dto.themes, extra: dto.extra, source: dto.source)
    }
    static func references(of dto: MethodDTO) -> [(relation: LinkRelation, target: ItemType, field: String, slugs: [String])] { [] }

    static func apply(_ dto: MethodDTO, to model: FacilitationMethod, today: CalendarDate) -> [FieldError] {
        guard let category = dto.category else {
            return [FieldError("category", "Choisissez une catégorie : \(MethodCategory.keyList).")]
        }
        model.name = dto.name.trimmingCharacters(in: .whitespacesAndNewlines)
        model.category = category
        model.description = dto.description.nonBlank
        model.durationMinutes = dto.durationMinutes
        model.groupSize = dto.groupSize.nonBlank
        model.materials = dto.materials.nonBlank
        model.remoteOk = dto.remoteOk
        return []
    }

    static func dto(of model: FacilitationMethod, links: ResolvedLinks, inverse: ResolvedLinks) -> MethodDTO {
        var dto = MethodDTO(name: model.name)
        dto.slug = model.slug
        dto.visibility = model.visibility
        dto.createdAt = model.createdAt
        dto.updatedAt = model.updatedAt
        dto.themes = model.themes
        dto.extra = model.extra
        dto.source = model.source
        dto.category = model.category
        dto.description = model.description
        dto.durationMinutes = model.durationMinutes
        dto.groupSize = model.groupSize
        dto.materials = model.materials
        dto.remoteOk = model.remoteOk
        return dto
    }

    static func facetValues(of model: FacilitationMethod, links: ResolvedLinks) -> [(facet: String, value: String)] {
        var values: [(facet: String, value: String)] = [("category", model.category.rawValue)]
        if let remoteOk = model.remoteOk { values.append(("remote_ok", remoteOk ? "true" : "false")) }
        values += model.themes.map { ("theme", $0) }
        return values
    }
}
