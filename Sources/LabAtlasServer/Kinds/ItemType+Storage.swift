import LabAtlasCore
import SQLKit

extension ItemType {
    /// The table holding items of this type.
    var table: String {
        switch self {
        case .labs: Lab.schema
        case .projects: Project.schema
        case .experiences: Experience.schema
        case .sessions: WorkSession.schema
        case .events: Event.schema
        case .methods: FacilitationMethod.schema
        case .networks: Network.schema
        }
    }

    /// The column shown as the item's name.
    var titleColumn: String {
        switch self {
        case .labs, .methods, .networks: "name"
        case .projects, .experiences, .sessions, .events: "title"
        }
    }

    /// The year filter (`?year=`) as a condition on the column the year comes
    /// from, which an index orders: a session's year is its date's, an
    /// experience has a year. Nil for other types, whose years come from a
    /// stage history or a span of dates, and for a value that is no year:
    /// those read the facet rows. The same items either way.
    func yearPredicate(_ value: String) -> (any SQLExpression)? {
        guard value.utf8.count == 4, value.utf8.allSatisfy({ (48...57).contains($0) }), let year = Int(value),
              (1000...9998).contains(year) else { return nil }
        switch self {
        case .sessions:
            // Dates are ISO text, a year's the ones in [YYYY, YYYY+1).
            return SQLQueryString("(date >= \(bind: value) AND date < \(bind: String(year + 1)))")
        case .experiences:
            // The expression of the index `experiences_by_year` (migration 005).
            return SQLQueryString("COALESCE(year, 0) = \(bind: year)")
        case .labs, .projects, .events, .methods, .networks:
            return nil
        }
    }

    /// The sort whose order starts with the year's column: a walk in that order
    /// can start at the year.
    var yearOrder: String? {
        self == .sessions ? "date" : nil
    }

    var kind: any ItemKind.Type {
        switch self {
        case .labs: LabKind.self
        case .projects: ProjectKind.self
        case .experiences: ExperienceKind.self
        case .sessions: SessionKind.self
        case .events: EventKind.self
        case .methods: MethodKind.self
        case .networks: NetworkKind.self
        }
    }
}
