import Foundation

/// A lab as the API, exports and demo files spell it (CONTRACT.md field names).
public struct LabDTO: Codable, Sendable, Hashable {
    public var slug: String?
    public var visibility: Visibility?
    public var createdAt: Date?
    public var updatedAt: Date?
    @DefaultEmpty public var themes: [String]
    @DefaultEmptyObject public var extra: [String: JSONValue]
    public var source: SourceRef?

    public var name: String
    public var hostOrganisation: String?
    public var governmentLevel: GovernmentLevel?
    public var region: String?
    public var city: String?
    public var postalCode: String?
    public var latitude: Double?
    public var longitude: Double?
    public var maturity: Maturity?
    public var launchDate: PartialDate?
    public var team: String?
    @DefaultEmpty public var services: [String]
    public var highlight: String?
    public var objectives: String?
    public var website: String?
    public var contact: String?
    @DefaultEmpty public var networks: [String]

    public init(name: String) { self.name = name }

    enum CodingKeys: String, CodingKey {
        case slug, visibility, themes, extra, source, name, region, city, latitude, longitude, maturity, team
        case services, highlight, objectives, website, contact, networks
        case createdAt = "created_at", updatedAt = "updated_at"
        case hostOrganisation = "host_organisation", governmentLevel = "government_level"
        case postalCode = "postal_code", launchDate = "launch_date"
    }
}
