import Foundation
import LabAtlasCore

extension NetworkKind: ItemPresenter {
    static func card(_ model: Network, links: ResolvedLinks) -> Card {
        Card(title: model.name, href: "/networks/\(model.slug)", kicker: "Réseau",
             excerpt: MarkdownRenderer.plainText(model.description, maxLength: 220))
    }

    static func detail(_ model: Network, links: ResolvedLinks, repository: ItemRepository) async throws -> ShowPage {
        var page = ShowPage.base(model, type: .networks, lead: nil)
        page.addThemes(model.themes)
        page.addText("Présentation", model.description)
        page.addRelated("Labs du réseau", try await repository.incomingCards(LabKind.self, to: try model.requiredID, relation: .networks),
                        moreHref: "/labs?network=\(model.slug)")
        return page
    }
}
