import Foundation

public struct EventDTO: Codable, Sendable, Hashable {
    public var slug: String?
    public var visibility: Visibility?
    public var createdAt: Date?
    public var updatedAt: Date?
    @DefaultEmpty public var themes: [String]
    @DefaultEmptyObject public var extra: [String: JSONValue]
    public var source: SourceRef?

    public var title: String
    public var description: String?
    @DefaultEmpty public var timings: [Timing]
    public var place: Place?
    public var onlineUrl: String?
    public var attendance: Attendance?
    public var status: EventStatus?
    public var registrationUrl: String?
    @DefaultEmpty public var labs: [String]
    @DefaultEmpty public var keywords: [String]

    public init(title: String) { self.title = title }

    enum CodingKeys: String, CodingKey {
        case slug, visibility, themes, extra, source, title, description, timings, place, attendance, status
        case labs, keywords
        case createdAt = "created_at", updatedAt = "updated_at"
        case onlineUrl = "online_url", registrationUrl = "registration_url"
    }
}
