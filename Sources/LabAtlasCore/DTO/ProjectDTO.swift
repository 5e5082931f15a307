import Foundation

public struct ProjectDTO: Codable, Sendable, Hashable {
    public var slug: String?
    public var visibility: Visibility?
    public var createdAt: Date?
    public var updatedAt: Date?
    @DefaultEmpty public var themes: [String]
    @DefaultEmptyObject public var extra: [String: JSONValue]
    public var source: SourceRef?

    public var title: String
    public var summary: String?
    public var description: String?
    @DefaultEmpty public var labs: [String]
    public var organisation: String?
    @DefaultEmpty public var team: [TeamMember]
    /// Derived from `stage_history` when absent; when both are given they must agree.
    public var stage: Stage?
    @DefaultEmpty public var stageHistory: [StageEntry]
    @DefaultEmpty public var decisions: [Decision]
    public var productUrl: String?
    @DefaultEmpty public var achievements: [Achievement]
    public var nextSteps: String?
    public var vigilance: String?

    public init(title: String) { self.title = title }

    enum CodingKeys: String, CodingKey {
        case slug, visibility, themes, extra, source, title, summary, description, labs, organisation, team
        case stage, decisions, achievements, vigilance
        case createdAt = "created_at", updatedAt = "updated_at"
        case stageHistory = "stage_history", productUrl = "product_url", nextSteps = "next_steps"
    }
}
