import Fluent
import SQLKit
import LabAtlasCore

/// The version of each item type's content (`content_versions`, migration
/// 008): any write to a type's table gives it a new random version.
enum ContentVersions {
    static let table = "content_versions"

    /// Every type's version, in one read.
    static func read(on database: any SQLDatabase) async throws -> [ItemType: Int64] {
        var versions: [ItemType: Int64] = [:]
        for row in try await database.select().column("item_type").column("version").from(table).all() {
            if let type = ItemType(rawValue: try row.decode(column: "item_type", as: String.self)) {
                versions[type] = try row.decode(column: "version", as: Int64.self)
            }
        }
        return versions
    }
}

extension ItemType {
    /// The types whose items a visitor's list or JSON item of this type shows:
    /// its own; those its items link to (names on cards, facet labels, and a
    /// lab's region, filed under its projects, sessions…); a network's labs.
    /// Detail pages show more (what links to the item, similar items of other
    /// types) and read every type.
    var shownWithIt: Set<ItemType> {
        switch self {
        case .labs: [.labs, .networks]
        case .projects: [.projects, .labs]
        case .experiences: [.experiences, .labs, .projects]
        case .sessions: [.sessions, .labs, .projects, .methods]
        case .events: [.events, .labs]
        case .methods: [.methods]
        case .networks: [.networks, .labs]
        }
    }
}
