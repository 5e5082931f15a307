import Foundation
import LabAtlasCore

extension SessionKind: ItemPresenter {
    static func card(_ model: WorkSession, links: ResolvedLinks) -> Card {
        var card = Card(title: model.title, href: "/sessions/\(model.slug)", kicker: links[.lab].first?.title)
        if let date = CalendarDate(model.date) { card.meta.append(date.frenchLabel) }
        if let format = model.format { card.meta.append(format.label) }
        if let participants = model.participants { card.meta.append(French.count(participants, "participant", "participants")) }
        if let nature = model.nature { card.badges.append(Badge(label: nature.label, tone: "info")) }
        if let level = model.level.flatMap(AccompanimentLevel.init(number:)) { card.badges.append(Badge(label: "Niveau \(level.rawValue)")) }
        card.excerpt = MarkdownRenderer.plainText(model.outcome, maxLength: 180)
        return card
    }

    static func detail(_ model: WorkSession, links: ResolvedLinks, repository: ItemRepository) async throws -> ShowPage {
        var page = ShowPage.base(model, type: .sessions, lead: nil)
        page.addFact("Date", CalendarDate(model.date)?.frenchLabel)
        page.addLinks("Lab", links[.lab])
        page.addFact("Nature", model.nature?.label, href: model.nature.map { "/sessions?nature=\($0.rawValue)" })
        page.addFact("Niveau d'accompagnement", model.level.flatMap(AccompanimentLevel.init(number:))?.label,
                     href: model.level.map { "/sessions?level=\($0)" })
        page.addFact("Format", model.format?.label)
        page.addFact("Participants", model.participants.map(French.number))
        page.addLinks("Projet accompagné", links[.project])
        page.addLinks("Méthodes utilisées", links[.methods])
        page.addThemes(model.themes)
        page.addText("Résultats", model.outcome)
        page.addText("Rétrospective", model.retrospective)
        return page
    }
}
