import Foundation
import LabAtlasCore

/// The text of one item as the search index reads it: its title, and the
/// plain text of its other fields in reading order (Markdown stripped).
struct SearchText: Sendable {
    var title: String
    var body: [String]

    init(title: String, body: [String?]) {
        self.title = title
        self.body = body.compactMap { $0.flatMap { MarkdownRenderer.plainText($0, maxLength: 20_000).nonBlank } }
    }

    var bodyText: String { body.joined(separator: " — ") }

    /// The start of a stored text, cut at a word, for cards.
    static func excerpt(_ text: String, length: Int = 180) -> String? {
        guard !text.isEmpty else { return nil }
        guard text.count > length else { return text }
        let cut = text.prefix(length)
        return String(cut[..<(cut.lastIndex(of: " ") ?? cut.endIndex)]) + " …"
    }
}

// Contact fields (a lab's `contact`, an experience's `pilot_contact`) are left
// out: they are hidden from readers outside the lab's networks, and a match on
// them would tell those readers what they contain.
extension LabKind {
    static func searchText(of model: Lab) -> SearchText {
        SearchText(title: model.name, body: [model.highlight, model.objectives, model.hostOrganisation, model.city,
                                             model.region, model.team, model.services.joined(separator: ", ")])
    }
}

extension ProjectKind {
    static func searchText(of model: Project) -> SearchText {
        SearchText(title: model.title, body: [model.summary, model.description, model.organisation,
                                              model.achievements.map(\.text).joined(separator: " "),
                                              model.nextSteps, model.vigilance, model.decisions.compactMap(\.note).joined(separator: " ")])
    }
}

extension ExperienceKind {
    static func searchText(of model: Experience) -> SearchText {
        SearchText(title: model.title, body: [model.description, model.wentWell, model.wentBadly, model.advice,
                                              model.audiencesOther, model.pilot])
    }
}

extension SessionKind {
    static func searchText(of model: WorkSession) -> SearchText {
        SearchText(title: model.title, body: [model.outcome, model.retrospective])
    }
}

extension EventKind {
    static func searchText(of model: Event) -> SearchText {
        SearchText(title: model.title, body: [model.description, model.place?.name, model.place?.city,
                                              model.keywords.joined(separator: ", ")])
    }
}

extension MethodKind {
    static func searchText(of model: FacilitationMethod) -> SearchText {
        SearchText(title: model.name, body: [model.description, model.materials])
    }
}

extension NetworkKind {
    static func searchText(of model: Network) -> SearchText {
        SearchText(title: model.name, body: [model.description])
    }
}
