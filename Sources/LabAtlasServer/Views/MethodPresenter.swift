import Foundation
import LabAtlasCore

extension MethodKind: ItemPresenter {
    static func card(_ model: FacilitationMethod, links: ResolvedLinks) -> Card {
        var card = Card(title: model.name, href: "/methods/\(model.slug)", kicker: model.category.label)
        if let minutes = model.durationMinutes { card.meta.append("\(minutes) min") }
        if let size = model.groupSize { card.meta.append(size) }
        if model.remoteOk == true { card.badges.append(Badge(label: "Possible à distance", tone: "info")) }
        card.excerpt = MarkdownRenderer.plainText(model.description, maxLength: 180)
        return card
    }

    static func detail(_ model: FacilitationMethod, links: ResolvedLinks, repository: ItemRepository) async throws -> ShowPage {
        var page = ShowPage.base(model, type: .methods, lead: nil)
        page.addFact("Catégorie", model.category.label, href: "/methods?category=\(model.category.rawValue)")
        page.addFact("Durée", model.durationMinutes.map { "\($0) minutes" })
        page.addFact("Taille du groupe", model.groupSize)
        page.addFact("Matériel", model.materials)
        page.addFact("À distance", model.remoteOk.map { $0 ? "Possible" : "En présentiel seulement" })
        page.addThemes(model.themes)
        page.addText("Déroulé", model.description)
        let id = try model.requiredID
        page.addRelated("Sessions qui l'ont utilisée", try await repository.incomingCards(SessionKind.self, to: id, relation: .methods, limit: 12),
                        moreHref: "/sessions?method=\(model.slug)")
        return page
    }
}
