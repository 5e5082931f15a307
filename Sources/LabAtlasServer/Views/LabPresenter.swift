import Foundation
import LabAtlasCore

extension LabKind: ItemPresenter {
    static func card(_ model: Lab, links: ResolvedLinks) -> Card {
        var card = Card(title: model.name, href: "/labs/\(model.slug)", kicker: model.governmentLevel?.label)
        card.meta = [[model.city, model.region].compactMap { $0 }.joined(separator: ", "), model.hostOrganisation ?? ""]
            .filter { !$0.isEmpty }
        if let maturity = model.maturity { card.badges.append(Badge(label: maturity.label, tone: French.tone(of: maturity))) }
        card.excerpt = MarkdownRenderer.plainText(model.objectives ?? model.highlight, maxLength: 180)
        return card
    }

    static func detail(_ model: Lab, links: ResolvedLinks, repository: ItemRepository) async throws -> ShowPage {
        var page = ShowPage.base(model, type: .labs, lead: model.hostOrganisation)
        if let maturity = model.maturity { page.badges.insert(Badge(label: maturity.label, tone: French.tone(of: maturity)), at: 0) }
        page.addFact("Niveau d'administration", model.governmentLevel?.label,
                     href: model.governmentLevel.map { "/labs?government_level=\($0.rawValue)" })
        page.addFact("Région", model.region, href: model.region.map {
            "/labs?region=\($0.addingPercentEncoding(withAllowedCharacters: .urlQueryValueAllowed) ?? $0)" })
        page.addFact("Ville", [model.postalCode, model.city].compactMap { $0 }.joined(separator: " "))
        page.addFact("Lancement", model.launchDate.flatMap(PartialDate.init)?.frenchLabel)
        page.addLinks("Réseaux", links[.networks])
        page.addThemes(model.themes)
        if !model.services.isEmpty {
            page.facts.append(Fact(label: "Offre de service", value: "", links: model.services.map {
                LinkItem(label: French.serviceLabel($0), href: "/labs?service=\($0.addingPercentEncoding(withAllowedCharacters: .urlQueryValueAllowed) ?? $0)")
            }))
        }
        if let id = model.id, repository.reader.seesContacts(ofLabs: [id]) {
            page.addFact("Contact", model.contact, href: model.contact.flatMap { WebLink.isSafeEmail($0) ? "mailto:" + $0 : nil })
        }
        page.addFact("Site web", model.website, href: model.website.flatMap { WebLink.isSafe($0) ? $0 : nil })
        page.addText("Fait marquant de l'année", model.highlight)
        page.addText("Objectifs", model.objectives)
        page.addText("Équipe", model.team)
        let id = try model.requiredID
        // Twelve of each, like sessions and events: the lab's lists, filtered, hold them all.
        page.addRelated("Projets accompagnés", try await repository.incomingCards(ProjectKind.self, to: id, relation: .labs, limit: 12),
                        moreHref: "/projects?lab=\(model.slug)")
        page.addRelated("Sessions de travail", try await repository.incomingCards(SessionKind.self, to: id, relation: .lab, limit: 12),
                        moreHref: "/sessions?lab=\(model.slug)")
        page.addRelated("Événements", try await repository.incomingCards(EventKind.self, to: id, relation: .labs, limit: 12),
                        moreHref: "/events?lab=\(model.slug)")
        page.addRelated("Retours d'expérience", try await repository.incomingCards(ExperienceKind.self, to: id, relation: .lab, limit: 12),
                        moreHref: "/experiences?lab=\(model.slug)")
        return page
    }
}
