import Foundation

/// A collaborative work session [session de travail collaboratif].
public struct SessionDTO: Codable, Sendable, Hashable {
    public var slug: String?
    public var visibility: Visibility?
    public var createdAt: Date?
    public var updatedAt: Date?
    @DefaultEmpty public var themes: [String]
    @DefaultEmptyObject public var extra: [String: JSONValue]
    public var source: SourceRef?

    public var title: String
    public var date: CalendarDate?
    public var lab: String?
    public var nature: SessionNature?
    public var level: Int?
    public var format: SessionFormat?
    public var participants: Int?
    @DefaultEmpty public var methods: [String]
    public var project: String?
    public var outcome: String?
    public var retrospective: String?

    public init(title: String) { self.title = title }

    enum CodingKeys: String, CodingKey {
        case slug, visibility, themes, extra, source, title, date, lab, nature, level, format, participants
        case methods, project, outcome, retrospective
        case createdAt = "created_at", updatedAt = "updated_at"
    }
}
