import Foundation

public struct ExperienceDTO: Codable, Sendable, Hashable {
    public var slug: String?
    public var visibility: Visibility?
    public var createdAt: Date?
    public var updatedAt: Date?
    @DefaultEmpty public var themes: [String]
    @DefaultEmptyObject public var extra: [String: JSONValue]
    public var source: SourceRef?

    public var title: String
    public var cooperation: Cooperation?
    @DefaultEmpty public var audiences: [Audience]
    public var audiencesOther: String?
    public var description: String?
    public var wentWell: String?
    public var wentBadly: String?
    public var advice: String?
    public var link: String?
    public var linkShareable: Bool?
    public var pilot: String?
    public var pilotContact: String?
    public var lab: String?
    public var project: String?
    public var year: Int?

    public init(title: String) { self.title = title }

    enum CodingKeys: String, CodingKey {
        case slug, visibility, themes, extra, source, title, cooperation, audiences, description, advice, link
        case pilot, lab, project, year
        case createdAt = "created_at", updatedAt = "updated_at"
        case audiencesOther = "audiences_other", wentWell = "went_well", wentBadly = "went_badly"
        case linkShareable = "link_shareable", pilotContact = "pilot_contact"
    }
}
