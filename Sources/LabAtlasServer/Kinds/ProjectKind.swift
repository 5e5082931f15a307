import Foundation
import LabAtlasCore

enum ProjectKind: ItemKind {
    typealias M = Project
    typealias DTO = ProjectDTO
    static let type = ItemType.projects

    static func validate(_ dto: ProjectDTO) -> [FieldError] { dto.validate() }
    static func slug(of dto: ProjectDTO) -> String? { dto.slug }
    static func slugSource(of dto: ProjectDTO) -> String { dto.title }
    static func commonFields(of dto: ProjectDTO) -> CommonFields {
        CommonFields(visibility: dto.visibility, themes: dto.themes, extra: dto.extra, source: dto.source)
    }
    static func references(of dto: ProjectDTO) -> [(relation: LinkRelation, target: ItemType, field: String, slugs: [String])] {
        [(.labs, .labs, "labs", dto.labs)]
    }

    static func apply(_ dto: ProjectDTO, to model: Project, today: CalendarDate) -> [FieldError] {
        let history = dto.normalisedStageHistory(today: today)
        guard let last = history.last else { return [FieldError("stage", "Indiquez la phase du projet.")] }
        model.title = dto.title.trimmingCharacters(in: .whitespacesAndNewlines)
        model.summary = dto.summary.nonBlank
        model.description = dto.description.nonBlank
        model.organisation = dto.organisation.nonBlank
        model.team = dto.team
        model.stage = last.stage
        model.stageSince = last.since.description
        model.stageHistory = history
        model.decisions = dto.decisions.sorted { $0.date < $1.date }
        model.productUrl = dto.productUrl.nonBlank
        model.achievements = dto.achievements.sorted { $0.year < $1.year }
        model.nextSteps = dto.nextSteps.nonBlank
        model.vigilance = dto.vigilance.nonBlank
        return []
    }

    static func dto(of model: Project, links: ResolvedLinks, inverse: ResolvedLinks) -> ProjectDTO {
        var dto = ProjectDTO(title: model.title)
        dto.slug = model.slug
        dto.visibility = model.visibility
        dto.createdAt = model.createdAt
        dto.updatedAt = model.updatedAt
        dto.themes = model.themes
        dto.extra = model.extra
        dto.source = model.source
        dto.summary = model.summary
        dto.description = model.description
        dto.labs = links[.labs].map(\.slug)
        dto.organisation = model.organisation
        dto.team = model.team
        dto.stage = model.stage
        dto.stageHistory = model.stageHistory
        dto.decisions = model.decisions
        dto.productUrl = model.productUrl
        dto.achievements = model.achievements
        dto.nextSteps = model.nextSteps
        dto.vigilance = model.vigilance
        return dto
    }

    static func facetValues(of model: Project, links: ResolvedLinks) -> [(facet: String, value: String)] {
        var values: [(facet: String, value: String)] = [("stage", model.stage.rawValue)]
        if let first = model.stageHistory.first { values.append(("year", String(first.since.year))) }
        values += model.themes.map { ("theme", $0) }
        values += links[.labs].map { ("lab", $0.slug) }
        values += Set(links[.labs].compactMap(\.region)).sorted().map { ("region", $0) }
        return values
    }
}
