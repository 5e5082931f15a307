import Fluent
import SQLKit
import LabAtlasCore

/// The versions of each item type's content (`content_versions`, migration
/// 008): a write to a type's table gives it a new random `version`; one that
/// changes what other types' pages show of an item (its name, slug,
/// visibility, deletion, a lab's region) a new `reference_version` too.
enum ContentVersions {
    static let table = "content_versions"

    /// A version a page depends on.
    enum Part: Hashable, Sendable {
        /// Any change to items of the type.
        case content(ItemType)
        /// A change to what pages of other types show of its items.
        case references(ItemType)

        var sortKey: String {
            switch self {
            case .content(let type): type.rawValue
            case .references(let type): type.rawValue + ".references"
            }
        }

        static var everything: Set<Part> { Set(ItemType.allCases.map(Part.content)) }
    }

    /// How many events have not ended yet. What depends on the date (upcoming
    /// and past events) depends on it only through the set of events not yet
    /// ended, which, while the events' version stays the same, only loses
    /// members as time passes: its size names it.
    static func eventsNotEnded(on database: any Database) async throws -> Int64 {
        // The events' list query says what "upcoming" is; the system reader counts them all.
        var upcoming = ListQuery(type: .events, reader: .system)
        upcoming.filters["when"] = "upcoming"
        return Int64(try await upcoming.count(on: database))
    }

    /// Every version, in one read.
    static func read(on database: any SQLDatabase) async throws -> [Part: Int64] {
        try versions(in: try await database.raw("SELECT \(unsafeRaw: columns) FROM \(unsafeRaw: table) c").all())
    }

    /// The columns of the versions, on `content_versions` aliased `c`: a read
    /// that needs more (an item's version, the search index's marks) joins its
    /// tables to these rows and reads it all in one statement. Read on every
    /// visitor's request, so written as SQL once rather than built each time.
    static let columns = "c.item_type, c.version, c.reference_version"

    /// The versions in rows read with `columns`.
    static func versions(in rows: [any SQLRow]) throws -> [Part: Int64] {
        var versions: [Part: Int64] = [:]
        for row in rows {
            guard let type = ItemType(rawValue: try row.decode(column: "item_type", as: String.self)) else { continue }
            versions[.content(type)] = try row.decode(column: "version", as: Int64.self)
            versions[.references(type)] = try row.decode(column: "reference_version", as: Int64.self)
        }
        return versions
    }
}

extension ItemType {
    /// The versions a visitor's list of this type, page or JSON, depends on: its
    /// own content; what it shows of the items its items point at (names on
    /// cards, facet labels, a lab's region filed under its projects,
    /// sessions…); a network's labs, which point at it, whatever changes them.
    /// Detail pages and JSON items follow their item's version (`ItemVersions`).
    var shownWithIt: Set<ContentVersions.Part> {
        switch self {
        case .labs: [.content(.labs), .references(.networks)]
        case .projects: [.content(.projects), .references(.labs)]
        case .experiences: [.content(.experiences), .references(.labs), .references(.projects)]
        case .sessions: [.content(.sessions), .references(.labs), .references(.projects), .references(.methods)]
        case .events: [.content(.events), .references(.labs)]
        case .methods: [.content(.methods)]
        case .networks: [.content(.networks), .content(.labs)]
        }
    }
}
