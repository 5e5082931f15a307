import Foundation
import LabAtlasCore

extension ExperienceKind: ItemPresenter {
    static func card(_ model: Experience, links: ResolvedLinks) -> Card {
        var card = Card(title: model.title, href: "/experiences/\(model.slug)", kicker: links[.lab].first?.title)
        if let year = model.year { card.meta.append(String(year)) }
        if let cooperation = model.cooperation { card.meta.append("Coopération \(cooperation.label.lowercased())") }
        card.excerpt = MarkdownRenderer.plainText(model.description, maxLength: 200)
        return card
    }

    static func detail(_ model: Experience, links: ResolvedLinks, repository: ItemRepository) async throws -> ShowPage {
        var page = ShowPage.base(model, type: .experiences, lead: nil)
        page.addLinks("Lab", links[.lab])
        page.addLinks("Projet", links[.project])
        page.addFact("Année", model.year.map(String.init), href: model.year.map { "/experiences?year=\($0)" })
        page.addFact("Type de coopération", model.cooperation?.label)
        let audiences = model.audiences.compactMap { Audience(rawValue: $0)?.label } + [model.audiencesOther].compactMap { $0 }
        page.addFact("Publics", audiences.joined(separator: ", "))
        page.addThemes(model.themes)
        page.addFact("Pilote", model.pilot)
        if repository.reader.seesContacts(ofLabs: Set(links[.lab].map(\.id))) {
            page.addFact("Contact du pilote", model.pilotContact,
                         href: model.pilotContact.flatMap { WebLink.isSafeEmail($0) ? "mailto:" + $0 : nil })
        }
        if model.linkShareable != false {
            page.addFact("Lien", model.link, href: model.link.flatMap { WebLink.isSafe($0) ? $0 : nil })
        }
        page.addText("Description", model.description)
        page.addText("Retours positifs", model.wentWell)
        page.addText("Retours négatifs", model.wentBadly)
        page.addText("Conseils — et si c'était à refaire", model.advice)
        return page
    }
}
