import Fluent
import Foundation
import LabAtlasCore

/// How an item type appears on pages: as a card in lists, and as a detail page.
protocol ItemPresenter: ItemKind {
    static func card(_ model: M, links: ResolvedLinks) -> Card
    static func detail(_ model: M, links: ResolvedLinks, repository: ItemRepository) async throws -> ShowPage
}

extension ItemRepository {
    /// Cards of visible items with these ids, in order; a visitor's are kept (`keptCards`).
    func cards<K: ItemPresenter>(_ kind: K.Type, ids: [UUID]) async throws -> [Card] {
        guard let kept = keptCards, kept.capacity > 0, !ids.isEmpty, reader.isVisitor else {
            return try await builtCards(kind, ids: ids).map(\.card)
        }
        return try await kept.values(of: ids, on: try database.sql) { missing in
            var built = try await builtCards(kind, ids: missing)
            if let renderCard {
                for index in built.indices { built[index].card.html = try await renderCard(built[index].card) }
            }
            return built.map { ($0.id, $0.card) }
        }
    }

    private func builtCards<K: ItemPresenter>(_ kind: K.Type, ids: [UUID]) async throws -> [(id: UUID, card: Card)] {
        try await withLinks(kind, try await models(kind, ids: ids)).compactMap { item in
            item.model.id.map { ($0, K.card(item.model, links: item.links)) }
        }
    }

    /// Cards of the items of `kind` that point at `target` through `relation`.
    func incomingCards<K: ItemPresenter>(_ kind: K.Type, to target: UUID, relation: LinkRelation, limit: Int = 50) async throws -> (cards: [Card], total: Int) {
        let page = try await links.incomingPage(to: target, relation: relation, sourceType: K.type, limit: limit)
        return (try await cards(kind, ids: page.ids), page.total)
    }
}

extension ShowPage {
    /// The fields every detail page shares.
    static func base<M: AtlasModel>(_ model: M, type: ItemType, lead: String?) -> ShowPage {
        var page = ShowPage(
            layout: Layout(title: "\(model.displayTitle) — \(type.singularLabel)", section: type.rawValue,
                           description: lead.map { MarkdownRenderer.plainText($0, maxLength: 160) }),
            typeLabel: type.singularLabel, listLabel: type.label, listHref: "/\(type.rawValue)", title: model.displayTitle,
            lead: lead, apiHref: "/api/v1/\(type.rawValue)/\(model.slug)",
            updatedAt: French.date(model.updatedAt))
        if model.visibility != .public {
            page.badges.append(Badge(label: "Visibilité : \(model.visibility.label)", tone: "warning"))
        }
        page.extra = model.extra.sorted { $0.key < $1.key }.compactMap { key, value in
            let text = value.displayText
            return text.isEmpty ? nil : Fact(label: key, value: text)
        }
        return page
    }

    mutating func addText(_ heading: String, _ markdown: String?) {
        let html = MarkdownRenderer.html(markdown)
        if !html.isEmpty { sections.append(TextSection(heading: heading, html: html)) }
    }

    mutating func addFact(_ label: String, _ value: String?, href: String? = nil) {
        guard let value, !value.isEmpty else { return }
        facts.append(Fact(label: label, value: value, href: href))
    }

    mutating func addLinks(_ label: String, _ refs: [ItemRef]) {
        guard !refs.isEmpty else { return }
        facts.append(Fact(label: label, value: "", links: refs.map { LinkItem(label: $0.title, href: $0.path) }))
    }

    mutating func addThemes(_ themes: [String]) {
        guard !themes.isEmpty else { return }
        facts.append(Fact(label: "Thématiques", value: "", links: themes.map {
            LinkItem(label: French.themeLabel($0), href: "\(listHref)?theme=\($0.addingPercentEncoding(withAllowedCharacters: .urlQueryValueAllowed) ?? $0)")
        }))
    }

    mutating func addRelated(_ heading: String, _ result: (cards: [Card], total: Int), moreHref: String? = nil) {
        guard !result.cards.isEmpty else { return }
        related.append(RelatedGroup(heading: "\(heading) (\(result.total))", cards: result.cards,
                                    moreHref: result.total > result.cards.count ? moreHref : nil))
    }
}

extension CharacterSet {
    /// Characters that may stay as they are in a query value.
    static let urlQueryValueAllowed: CharacterSet = {
        var set = CharacterSet.urlQueryAllowed
        set.remove(charactersIn: "&=+#?")
        return set
    }()
}
