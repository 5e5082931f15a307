/// One dated step of a project's life: "prototyping since 2023-04-03".
public struct StageEntry: Hashable, Sendable, Codable {
    public var stage: Stage
    public var since: CalendarDate
    public var note: String?
    public init(stage: Stage, since: CalendarDate, note: String? = nil) {
        self.stage = stage
        self.since = since
        self.note = note
    }
}

/// A committee decision [comité]: end of investigation, periodic review…
public struct Decision: Hashable, Sendable, Codable {
    public var date: CalendarDate
    public var kind: DecisionKind
    public var outcome: DecisionOutcome
    public var note: String?
    public init(date: CalendarDate, kind: DecisionKind, outcome: DecisionOutcome, note: String? = nil) {
        self.date = date
        self.kind = kind
        self.outcome = outcome
        self.note = note
    }
}

public struct TeamMember: Hashable, Sendable, Codable {
    public var name: String
    public var role: TeamRole
    public init(name: String, role: TeamRole) {
        self.name = name
        self.role = role
    }
}

/// What a project achieved in a given year [réalisations].
public struct Achievement: Hashable, Sendable, Codable {
    public var year: Int
    public var text: String
    public init(year: Int, text: String) {
        self.year = year
        self.text = text
    }
}

/// A project's stage history, kept in date order; the current stage is the last entry.
public enum StageHistory {
    /// Orders entries by date; entries of the same day keep their given order.
    public static func ordered(_ entries: [StageEntry]) -> [StageEntry] {
        entries.enumerated().sorted { lhs, rhs in
            lhs.element.since == rhs.element.since ? lhs.offset < rhs.offset : lhs.element.since < rhs.element.since
        }.map(\.element)
    }

    public static func currentStage(of entries: [StageEntry]) -> Stage? {
        ordered(entries).last?.stage
    }

    /// The stage a project was in on a given day, or nil before its first entry.
    public static func stage(on date: CalendarDate, in entries: [StageEntry]) -> Stage? {
        ordered(entries).last { $0.since <= date }?.stage
    }
}
