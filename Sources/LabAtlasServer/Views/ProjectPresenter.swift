import Foundation
import LabAtlasCore

extension ProjectKind: ItemPresenter {
    static func card(_ model: Project, links: ResolvedLinks) -> Card {
        var card = Card(title: model.title, href: "/projects/\(model.slug)", kicker: links[.labs].map(\.title).joined(separator: " · "))
        card.badges = [Badge(label: model.stage.label, tone: French.tone(of: model.stage))]
        if let since = model.stageSince.flatMap(CalendarDate.init) { card.meta.append("Depuis le \(since.frenchLabel)") }
        if let organisation = model.organisation { card.meta.append(organisation) }
        card.excerpt = MarkdownRenderer.plainText(model.summary ?? model.description, maxLength: 200)
        return card
    }

    static func detail(_ model: Project, links: ResolvedLinks, repository: ItemRepository) async throws -> ShowPage {
        var page = ShowPage.base(model, type: .projects, lead: model.summary)
        page.badges.insert(Badge(label: model.stage.label, tone: French.tone(of: model.stage)), at: 0)
        page.addLinks("Labs accompagnateurs", links[.labs])
        page.addFact("Organisation porteuse", model.organisation)
        page.addFact("Phase actuelle", model.stage.label, href: "/projects?stage=\(model.stage.rawValue)")
        page.addThemes(model.themes)
        page.addFact("Produit", model.productUrl, href: model.productUrl.flatMap { WebLink.isSafe($0) ? $0 : nil })
        let history = StageHistory.ordered(model.stageHistory)
        page.timeline = history.enumerated().map { index, entry in
            TimelineEntry(label: entry.stage.label, date: entry.since.frenchLabel, isoDate: entry.since.description,
                          note: entry.note, current: index == history.count - 1)
        }
        page.decisions = model.decisions.map { decision in
            DecisionRow(date: decision.date.frenchLabel, isoDate: decision.date.description, kind: decision.kind.label,
                        outcome: decision.outcome.label, outcomeTone: French.tone(of: decision.outcome), note: decision.note)
        }
        page.team = model.team.map { TeamRow(name: $0.name, role: $0.role.label) }
        page.addText("Description", model.description)
        if !model.achievements.isEmpty {
            let markdown = model.achievements.map { "- **\($0.year)** — \($0.text)" }.joined(separator: "\n")
            page.addText("Réalisations", markdown)
        }
        page.addText("Prochaines étapes", model.nextSteps)
        page.addText("Points de vigilance", model.vigilance)
        let id = try model.requiredID
        page.addRelated("Sessions de travail", try await repository.incomingCards(SessionKind.self, to: id, relation: .project))
        page.addRelated("Retours d'expérience", try await repository.incomingCards(ExperienceKind.self, to: id, relation: .project))
        return page
    }
}
