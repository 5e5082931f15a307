import Foundation
import LabAtlasCore

extension EventKind: ItemPresenter {
    static func card(_ model: Event, links: ResolvedLinks) -> Card {
        var card = Card(title: model.title, href: "/events/\(model.slug)", kicker: links[.labs].map(\.title).joined(separator: " · "))
        if let first = model.timings.first { card.meta.append(ParisTime.dayLabel(first.begin)) }
        if model.timings.count > 1 { card.meta.append(French.count(model.timings.count, "date", "dates")) }
        if let city = model.place?.city { card.meta.append(city) }
        if let attendance = model.attendance { card.meta.append(attendance.label) }
        if model.status != .scheduled { card.badges.append(Badge(label: model.status.label, tone: French.tone(of: model.status))) }
        card.excerpt = MarkdownRenderer.plainText(model.description, maxLength: 180)
        return card
    }

    static func detail(_ model: Event, links: ResolvedLinks, repository: ItemRepository) async throws -> ShowPage {
        var page = ShowPage.base(model, type: .events, lead: nil)
        page.badges.insert(Badge(label: model.status.label, tone: French.tone(of: model.status)), at: 0)
        page.timings = model.timings.map { TimingRow(label: ParisTime.rangeLabel($0),
                                                      begin: ParisTime.iso8601($0.begin), end: ParisTime.iso8601($0.end)) }
        page.addLinks("Organisé par", links[.labs])
        page.addFact("Modalité", model.attendance?.label)
        if let place = model.place {
            let address = [place.name, place.address, [place.postalCode, place.city].compactMap { $0 }.joined(separator: " ")]
                .compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: ", ")
            page.addFact("Lieu", address)
        }
        page.addFact("En ligne", model.onlineUrl, href: model.onlineUrl.flatMap { WebLink.isSafe($0) ? $0 : nil })
        page.addFact("Inscription", model.registrationUrl, href: model.registrationUrl.flatMap { WebLink.isSafe($0) ? $0 : nil })
        page.addFact("Mots-clés", model.keywords.joined(separator: ", "))
        page.addThemes(model.themes)
        page.addText("Présentation", model.description)
        return page
    }
}
