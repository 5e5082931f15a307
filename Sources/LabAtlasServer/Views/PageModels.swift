import Foundation
import LabAtlasCore

/// What the layout needs on every page: the title and which menu entry is current.
struct Layout: Encodable {
    var title: String
    var section: String
    var description: String?
    var nav: [NavItem]
    var viewer: Viewer?
    var currentPath: String = "/"
    /// What the header's search box shows.
    var searchText: String = ""

    init(title: String, section: String, description: String? = nil) {
        self.title = title
        self.section = section
        self.description = description
        nav = ItemType.navigationOrder.map { type in
            NavItem(label: type.label, href: "/\(type.rawValue)", current: type.rawValue == section)
        }
    }
}

struct NavItem: Encodable {
    var label: String
    var href: String
    var current: Bool
}

extension ItemType {
    static let navigationOrder: [ItemType] = [.labs, .projects, .experiences, .sessions, .events, .methods, .networks]
}

/// One item in a list: a card with its title, a few facts and an excerpt.
struct Card: Encodable, Sendable {
    var title: String
    var href: String
    var kicker: String?
    var meta: [String] = []
    var badges: [Badge] = []
    var excerpt: String?
    /// The card as `card.leaf` renders it, once kept for visitors
    /// (`VisitorCardCache`): pages then insert it as it is.
    var html: String?

    private enum CodingKeys: String, CodingKey {
        case title, href, kicker, meta, badges, excerpt, html
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        // A rendered card needs nothing else: its fields would only be encoded to be skipped.
        if let html { return try container.encode(html, forKey: .html) }
        try container.encode(title, forKey: .title)
        try container.encode(href, forKey: .href)
        try container.encodeIfPresent(kicker, forKey: .kicker)
        try container.encode(meta, forKey: .meta)
        try container.encode(badges, forKey: .badges)
        try container.encodeIfPresent(excerpt, forKey: .excerpt)
    }
}

struct Badge: Encodable, Sendable {
    var label: String
    /// A CSS modifier: neutral, positive, warning, negative, info.
    var tone: String = "neutral"
}

/// A labelled fact on a detail page, optionally a link.
struct Fact: Encodable {
    var label: String
    var value: String
    var href: String?
    var links: [LinkItem] = []
}

struct LinkItem: Encodable {
    var label: String
    var href: String
}

/// A block of rendered Markdown under a heading.
struct TextSection: Encodable {
    var heading: String
    var html: String
}

/// Related items grouped under a heading ("Projets accompagnés").
struct RelatedGroup: Encodable {
    var heading: String
    var cards: [Card]
    var moreHref: String?
}

struct TimelineEntry: Encodable {
    var label: String
    var date: String
    var isoDate: String
    var note: String?
    var current: Bool
}

struct DecisionRow: Encodable {
    var date: String
    var isoDate: String
    var kind: String
    var outcome: String
    var outcomeTone: String
    var note: String?
}

struct TeamRow: Encodable {
    var name: String
    var role: String
}

struct TimingRow: Encodable {
    var label: String
    var begin: String
    var end: String
}

struct ShowPage: PageContext {
    var layout: Layout
    var typeLabel: String
    var listLabel: String
    var listHref: String
    var title: String
    var lead: String?
    var badges: [Badge] = []
    var facts: [Fact] = []
    var sections: [TextSection] = []
    var timeline: [TimelineEntry] = []
    var decisions: [DecisionRow] = []
    var team: [TeamRow] = []
    var timings: [TimingRow] = []
    var extra: [Fact] = []
    var related: [RelatedGroup] = []
    var apiHref: String
    var updatedAt: String?
    /// Links for people who may change the item (edit, delete, history).
    var actions: [LinkItem] = []
    var historyHref: String?
    var workflow: ProjectWorkflowForms?
    var members: MembersPanel?
}

struct FacetOption: Encodable {
    var label: String
    /// Written out ("1 234"): Leaf would otherwise convert the number at each option.
    var count: String
    var href: String
    var selected: Bool
}

struct FacetView: Encodable {
    var name: String
    var label: String
    var options: [FacetOption]
    var hasSelection: Bool
}

struct ActiveFilter: Encodable {
    var label: String
    var removeHref: String
}

struct SortOption: Encodable {
    var key: String
    var label: String
    var selected: Bool
}

struct HiddenField: Encodable {
    var name: String
    var value: String
}

struct PageLink: Encodable {
    var label: String
    var href: String?
    var current: Bool
}

extension PageLink {
    /// First, last and two either side of the current page, with "…" for the gaps.
    static func numbered(current: Int, count: Int, href: (Int) -> String) -> [PageLink] {
        guard count > 1 else { return [] }
        // A page past the last (a hand-edited URL) has no neighbours to show.
        let low = max(1, current - 2), high = min(count, current + 2)
        let wanted = Set([1, count] + (low <= high ? Array(low...high) : []))
        var links: [PageLink] = []
        var previous = 0
        for number in wanted.sorted() {
            if number - previous > 1 { links.append(PageLink(label: "…", href: nil, current: false)) }
            links.append(PageLink(label: String(number), href: href(number), current: number == current))
            previous = number
        }
        return links
    }
}

struct ListPage: PageContext {
    var layout: Layout
    var heading: String
    var intro: String
    var total: Int
    var totalLabel: String
    var cards: [Card]
    var facets: [FacetView]
    var activeFilters: [ActiveFilter]
    var clearHref: String
    var sortOptions: [SortOption]
    var hiddenFilters: [HiddenField]
    var pages: [PageLink]
    var previousHref: String?
    var nextHref: String?
    var pageLabel: String
    var apiHref: String
    var createHref: String?
    var createLabel: String?
}

struct KeyFigure: Encodable {
    var value: String
    var label: String
    var href: String
}

struct HomePage: PageContext {
    var layout: Layout
    var figures: [KeyFigure]
    var upcomingEvents: [Card]
    var latestProjects: [Card]
    var latestExperiences: [Card]
    var latestSessions: [Card]
}

struct ErrorPage: PageContext {
    var layout: Layout
    var status: Int
    var heading: String
    var message: String
}
