import Foundation

public struct NetworkDTO: Codable, Sendable, Hashable {
    public var slug: String?
    public var visibility: Visibility?
    public var createdAt: Date?
    public var updatedAt: Date?
    @DefaultEmpty public var themes: [String]
    @DefaultEmptyObject public var extra: [String: JSONValue]
    public var source: SourceRef?

    public var name: String
    public var description: String?
    /// Read-only: a network's labs are set on each lab (`networks`).
    @DefaultEmpty public var labs: [String]

    public init(name: String) { self.name = name }

    enum CodingKeys: String, CodingKey {
        case slug, visibility, themes, extra, source, name, description, labs
        case createdAt = "created_at", updatedAt = "updated_at"
    }
}
