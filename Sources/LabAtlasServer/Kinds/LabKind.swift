import Foundation
import LabAtlasCore

enum LabKind: ItemKind {
    typealias M = Lab
    typealias DTO = LabDTO
    static let type = ItemType.labs

    static func validate(_ dto: LabDTO) -> [FieldError] { dto.validate() }
    static func slug(of dto: LabDTO) -> String? { dto.slug }
    static func slugSource(of dto: LabDTO) -> String { dto.name }
    static func commonFields(of dto: LabDTO) -> CommonFields {
        CommonFields(visibility: dto.visibility, themes: dto.themes, extra: dto.extra, source: dto.source)
    }
    static func references(of dto: LabDTO) -> [(relation: LinkRelation, target: ItemType, field: String, slugs: [String])] {
        [(.networks, .networks, "networks", dto.networks)]
    }

    static func apply(_ dto: LabDTO, to model: Lab, today: CalendarDate) -> [FieldError] {
        model.name = dto.name.trimmingCharacters(in: .whitespacesAndNewlines)
        model.hostOrganisation = dto.hostOrganisation.nonBlank
        model.governmentLevel = dto.governmentLevel
        model.region = dto.region.nonBlank.flatMap(FrenchRegions.canonicalName)
        model.city = dto.city.nonBlank
        model.postalCode = dto.postalCode.nonBlank
        model.latitude = dto.latitude
        model.longitude = dto.longitude
        model.maturity = dto.maturity
        model.launchDate = dto.launchDate?.description
        model.team = dto.team.nonBlank
        model.services = ThemeNormaliser.normaliseServices(dto.services)
        model.highlight = dto.highlight.nonBlank
        model.objectives = dto.objectives.nonBlank
        model.website = dto.website.nonBlank
        model.contact = dto.contact.nonBlank
        return []
    }

    static func dto(of model: Lab, links: ResolvedLinks, inverse: ResolvedLinks) -> LabDTO {
        var dto = LabDTO(name: model.name)
        dto.slug = model.slug
        dto.visibility = model.visibility
        dto.createdAt = model.createdAt
        dto.updatedAt = model.updatedAt
        dto.themes = model.themes
        dto.extra = model.extra
        dto.source = model.source
        dto.hostOrganisation = model.hostOrganisation
        dto.governmentLevel = model.governmentLevel
        dto.region = model.region
        dto.city = model.city
        dto.postalCode = model.postalCode
        dto.latitude = model.latitude
        dto.longitude = model.longitude
        dto.maturity = model.maturity
        dto.launchDate = model.launchDate.flatMap(PartialDate.init)
        dto.team = model.team
        dto.services = model.services
        dto.highlight = model.highlight
        dto.objectives = model.objectives
        dto.website = model.website
        dto.contact = model.contact
        dto.networks = links[.networks].map(\.slug)
        return dto
    }

    static func redactContacts(_ dto: inout LabDTO) { dto.contact = nil }

    static func facetValues(of model: Lab, links: ResolvedLinks) -> [(facet: String, value: String)] {
        var values: [(facet: String, value: String)] = []
        if let maturity = model.maturity { values.append(("maturity", maturity.rawValue)) }
        if let level = model.governmentLevel { values.append(("government_level", level.rawValue)) }
        if let region = model.region { values.append(("region", region)) }
        values += links[.networks].map { ("network", $0.slug) }
        values += model.themes.map { ("theme", $0) }
        values += model.services.map { ("service", $0) }
        return values
    }
}
