import Foundation
import LabAtlasCore

enum SessionKind: ItemKind {
    typealias M = WorkSession
    typealias DTO = SessionDTO
    static let type = ItemType.sessions

    static func validate(_ dto: SessionDTO) -> [FieldError] { dto.validate() }
    static func slug(of dto: SessionDTO) -> String? { dto.slug }
    static func slugSource(of dto: SessionDTO) -> String {
        [dto.date?.description, dto.title].compactMap { $0 }.joined(separator: " ")
    }
    static func commonFields(of dto: SessionDTO) -> CommonFields {
        CommonFields(visibility: dto.visibility, themes: dto.themes, extra: dto.extra, source: dto.source)
    }
    static func references(of dto: SessionDTO) -> [(relation: LinkRelation, target: ItemType, field: String, slugs: [String])] {
        [(.lab, .labs, "lab", dto.lab.nonBlank.map { [$0] } ?? []),
         (.project, .projects, "project", dto.project.nonBlank.map { [$0] } ?? []),
         (.methods, .methods, "methods", dto.methods)]
    }

    static func apply(_ dto: SessionDTO, to model: WorkSession, today: CalendarDate) -> [FieldError] {
        guard let date = dto.date else { return [FieldError("date", "La date de la session est obligatoire.")] }
        model.title = dto.title.trimmingCharacters(in: .whitespacesAndNewlines)
        model.date = date.description
        model.nature = dto.nature
        model.level = dto.level
        model.format = dto.format
        model.participants = dto.participants
        model.outcome = dto.outcome.nonBlank
        model.retrospective = dto.retrospective.nonBlank
        return []
    }

    static func dto(of model: WorkSession, links: ResolvedLinks, inverse: ResolvedLinks) -> SessionDTO {
        var dto = SessionDTO(title: model.title)
        dto.slug = model.slug
        dto.visibility = model.visibility
        dto.createdAt = model.createdAt
        dto.updatedAt = model.updatedAt
        dto.themes = model.themes
        dto.extra = model.extra
        dto.source = model.source
        dto.date = CalendarDate(model.date)
        dto.lab = links[.lab].first?.slug
        dto.nature = model.nature
        dto.level = model.level
        dto.format = model.format
        dto.participants = model.participants
        dto.methods = links[.methods].map(\.slug)
        dto.project = links[.project].first?.slug
        dto.outcome = model.outcome
        dto.retrospective = model.retrospective
        return dto
    }

    static func facetValues(of model: WorkSession, links: ResolvedLinks) -> [(facet: String, value: String)] {
        var values: [(facet: String, value: String)] = [("year", String(model.date.prefix(4)))]
        if let nature = model.nature { values.append(("nature", nature.rawValue)) }
        if let level = model.level { values.append(("level", String(level))) }
        if let format = model.format { values.append(("format", format.rawValue)) }
        values += links[.lab].map { ("lab", $0.slug) }
        values += links[.lab].compactMap(\.region).map { ("region", $0) }
        values += links[.methods].map { ("method", $0.slug) }
        values += model.themes.map { ("theme", $0) }
        return values
    }
}
