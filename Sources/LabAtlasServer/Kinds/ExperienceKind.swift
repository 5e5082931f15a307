import Foundation
import LabAtlasCore

enum ExperienceKind: ItemKind {
    typealias M = Experience
    typealias DTO = ExperienceDTO
    static let type = ItemType.experiences

    static func validate(_ dto: ExperienceDTO) -> [FieldError] { dto.validate() }
    static func slug(of dto: ExperienceDTO) -> String? { dto.slug }
    static func slugSource(of dto: ExperienceDTO) -> String { dto.title }
    static func commonFields(of dto: ExperienceDTO) -> CommonFields {
        CommonFields(visibility: dto.visibility, themes: dto.themes, extra: dto.extra, source: dto.source)
    }
    static func references(of dto: ExperienceDTO) -> [(relation: LinkRelation, target: ItemType, field: String, slugs: [String])] {
        [(.lab, .labs, "lab", dto.lab.nonBlank.map { [$0] } ?? []),
         (.project, .projects, "project", dto.project.nonBlank.map { [$0] } ?? [])]
    }

    static func apply(_ dto: ExperienceDTO, to model: Experience, today: CalendarDate) -> [FieldError] {
        model.title = dto.title.trimmingCharacters(in: .whitespacesAndNewlines)
        model.cooperation = dto.cooperation
        model.audiences = dto.audiences.map(\.rawValue)
        model.audiencesOther = dto.audiencesOther.nonBlank
        model.description = dto.description.nonBlank
        model.wentWell = dto.wentWell.nonBlank
        model.wentBadly = dto.wentBadly.nonBlank
        model.advice = dto.advice.nonBlank
        model.link = dto.link.nonBlank
        model.linkShareable = dto.linkShareable
        model.pilot = dto.pilot.nonBlank
        model.pilotContact = dto.pilotContact.nonBlank
        model.year = dto.year
        return []
    }

    static func dto(of model: Experience, links: ResolvedLinks, inverse: ResolvedLinks) -> ExperienceDTO {
        var dto = ExperienceDTO(title: model.title)
        dto.slug = model.slug
        dto.visibility = model.visibility
        dto.createdAt = model.createdAt
        dto.updatedAt = model.updatedAt
        dto.themes = model.themes
        dto.extra = model.extra
        dto.source = model.source
        dto.cooperation = model.cooperation
        dto.audiences = model.audiences.compactMap(Audience.init(rawValue:))
        dto.audiencesOther = model.audiencesOther
        dto.description = model.description
        dto.wentWell = model.wentWell
        dto.wentBadly = model.wentBadly
        dto.advice = model.advice
        dto.link = model.link
        dto.linkShareable = model.linkShareable
        dto.pilot = model.pilot
        dto.pilotContact = model.pilotContact
        dto.lab = links[.lab].first?.slug
        dto.project = links[.project].first?.slug
        dto.year = model.year
        return dto
    }

    static func redactContacts(_ dto: inout ExperienceDTO) { dto.pilotContact = nil }

    static func facetValues(of model: Experience, links: ResolvedLinks) -> [(facet: String, value: String)] {
        var values: [(facet: String, value: String)] = []
        values += model.themes.map { ("theme", $0) }
        if let cooperation = model.cooperation { values.append(("cooperation", cooperation.rawValue)) }
        values += model.audiences.map { ("audience", $0) }
        if let year = model.year { values.append(("year", String(year))) }
        values += links[.lab].map { ("lab", $0.slug) }
        values += links[.lab].compactMap(\.region).map { ("region", $0) }
        return values
    }
}
