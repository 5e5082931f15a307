import Foundation

/// A facilitation or design tool [fiche méthode].
public struct MethodDTO: Codable, Sendable, Hashable {
    public var slug: String?
    public var visibility: Visibility?
    public var createdAt: Date?
    public var updatedAt: Date?
    @DefaultEmpty public var themes: [String]
    @DefaultEmptyObject public var extra: [String: JSONValue]
    public var source: SourceRef?

    public var name: String
    public var category: MethodCategory?
    public var description: String?
    public var durationMinutes: Int?
    public var groupSize: String?
    public var materials: String?
    public var remoteOk: Bool?

    public init(name: String) { self.name = name }

    enum CodingKeys: String, CodingKey {
        case slug, visibility, themes, extra, source, name, category, description, materials
        case createdAt = "created_at", updatedAt = "updated_at"
        case durationMinutes = "duration_minutes", groupSize = "group_size", remoteOk = "remote_ok"
    }
}
