import Foundation
import LabAtlasCore

enum EventKind: ItemKind {
    typealias M = Event
    typealias DTO = EventDTO
    static let type = ItemType.events

    static func validate(_ dto: EventDTO) -> [FieldError] { dto.validate() }
    static func slug(of dto: EventDTO) -> String? { dto.slug }
    static func slugSource(of dto: EventDTO) -> String {
        let year = dto.timings.map(\.begin).min().map { String(ParisTime.calendarDate($0).year) }
        return [dto.title, year].compactMap { $0 }.joined(separator: " ")
    }
    static func commonFields(of dto: EventDTO) -> CommonFields {
        CommonFields(visibility: dto.visibility, themes: dto.themes, extra: dto.extra, source: dto.source)
    }
    static func references(of dto: EventDTO) -> [(relation: LinkRelation, target: ItemType, field: String, slugs: [String])] {
        [(.labs, .labs, "labs", dto.labs)]
    }

    static func apply(_ dto: EventDTO, to model: Event, today: CalendarDate) -> [FieldError] {
        let timings = dto.timings.sorted { $0.begin < $1.begin }
        guard let first = timings.first, let lastEnd = timings.map(\.end).max() else {
            return [FieldError("timings", "Indiquez au moins une date de début et de fin.")]
        }
        model.title = dto.title.trimmingCharacters(in: .whitespacesAndNewlines)
        model.description = dto.description.nonBlank
        model.timings = timings
        model.startsAt = first.begin
        model.endsAt = lastEnd
        model.place = (dto.place?.isEmpty ?? true) ? nil : dto.place
        model.onlineUrl = dto.onlineUrl.nonBlank
        model.attendance = dto.attendance
        model.status = dto.status ?? .scheduled
        model.registrationUrl = dto.registrationUrl.nonBlank
        model.keywords = dto.keywords.compactMap(\.nonBlank)
        return []
    }

    static func dto(of model: Event, links: ResolvedLinks, inverse: ResolvedLinks) -> EventDTO {
        var dto = EventDTO(title: model.title)
        dto.slug = model.slug
        dto.visibility = model.visibility
        dto.createdAt = model.createdAt
        dto.updatedAt = model.updatedAt
        dto.themes = model.themes
        dto.extra = model.extra
        dto.source = model.source
        dto.description = model.description
        dto.timings = model.timings
        dto.place = model.place
        dto.onlineUrl = model.onlineUrl
        dto.attendance = model.attendance
        dto.status = model.status
        dto.registrationUrl = model.registrationUrl
        dto.labs = links[.labs].map(\.slug)
        dto.keywords = model.keywords
        return dto
    }

    static func facetValues(of model: Event, links: ResolvedLinks) -> [(facet: String, value: String)] {
        var values: [(facet: String, value: String)] = [("status", model.status.rawValue)]
        if let attendance = model.attendance { values.append(("attendance", attendance.rawValue)) }
        let years = Set(model.timings.map { ParisTime.calendarDate($0.begin).year })
        values += years.sorted().map { ("year", String($0)) }
        values += links[.labs].map { ("lab", $0.slug) }
        values += Set(links[.labs].compactMap(\.region)).sorted().map { ("region", $0) }
        values += model.themes.map { ("theme", $0) }
        return values
    }
}
