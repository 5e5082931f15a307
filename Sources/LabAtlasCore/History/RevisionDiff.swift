/// How one field differs between two revisions, as the history page shows it.
public struct FieldChange: Hashable, Sendable {
    public var field: String
    /// The older value as readable text; nil when the field was absent or empty.
    public var old: String?
    /// The newer value as readable text; nil when the field is absent or empty.
    public var new: String?
    /// The line diff of `old` against `new`.
    public var lines: [DiffLine]

    public init(field: String, old: String?, new: String?, lines: [DiffLine]) {
        self.field = field
        self.old = old
        self.new = new
        self.lines = lines
    }
}

/// Compares two revision snapshots (an item's JSON) field by field.
public enum RevisionDiff {
    /// The fields whose value differs, sorted by name. Timestamps change on every
    /// save and would drown the real edits, hence the default `ignoring`.
    public static func compare(
        old: [String: JSONValue],
        new: [String: JSONValue],
        ignoring: Set<String> = ["created_at", "updated_at"]
    ) -> [FieldChange] {
        let fields = Set(old.keys).union(new.keys).subtracting(ignoring).sorted()
        return fields.compactMap { field in
            let before = meaningful(old[field])
            let after = meaningful(new[field])
            guard before != after else { return nil }
            let oldText = before.map(text(of:))
            let newText = after.map(text(of:))
            return FieldChange(
                field: field,
                old: oldText,
                new: newText,
                lines: TextDiff.compare(old: oldText ?? "", new: newText ?? "")
            )
        }
    }

    /// "3 champs modifiés : title, summary, stage_history"; past a handful of
    /// fields the rest are only counted, to keep the summary short.
    public static func summary(_ changes: [FieldChange], maxNames: Int = 5) -> String {
        guard !changes.isEmpty else { return "aucune modification" }
        let count = changes.count
        let heading = count == 1 ? "1 champ modifié" : "\(count) champs modifiés"
        var names = changes.prefix(maxNames).map(\.field).joined(separator: ", ")
        let others = count - min(count, maxNames)
        if others > 0 {
            names += others == 1 ? " et 1 autre" : " et \(others) autres"
        }
        return "\(heading) : \(names)"
    }

    /// Null, "", [] and {} all mean "nothing here": lists decode a missing field
    /// as empty (see `DefaultEmpty`), so an old revision without the field and a
    /// new one with an empty list are the same item and must not show as a change.
    static func meaningful(_ value: JSONValue?) -> JSONValue? {
        switch value {
        case nil, .null: nil
        case .string(let text) where text.isEmpty: nil
        case .array(let items) where items.isEmpty: nil
        case .object(let members) where members.isEmpty: nil
        default: value
        }
    }

    /// A field's value as diffable text: lists and objects take one line per
    /// element, so adding a stage or a team member shows as one added line.
    static func text(of value: JSONValue) -> String {
        switch value {
        case .array(let items):
            items.map(inlineText(of:)).joined(separator: "\n")
        case .object(let members):
            members.sorted { $0.key < $1.key }
                .compactMap { key, member in meaningful(member).map { "\(key) : \(inlineText(of: $0))" } }
                .joined(separator: "\n")
        default:
            inlineText(of: value)
        }
    }

    /// A value within a line: an object reads "stage : prototyping · since : 2023-03-01",
    /// keys in alphabetical order since a JSON object's own order is not kept.
    static func inlineText(of value: JSONValue) -> String {
        switch value {
        case .string(let text): text
        case .number(let number): numberText(number)
        case .bool(let flag): flag ? "oui" : "non"
        case .null: ""
        case .array(let items): items.map(inlineText(of:)).joined(separator: ", ")
        case .object(let members):
            members.sorted { $0.key < $1.key }
                .compactMap { key, member in meaningful(member).map { "\(key) : \(inlineText(of: $0))" } }
                .joined(separator: " · ")
        }
    }

    /// Whole numbers without ".0" (a year reads 2023, not 2023.0); the bound keeps
    /// the conversion to Int64 from trapping on huge or non-finite values.
    static func numberText(_ number: Double) -> String {
        if number.isFinite, number.rounded() == number, abs(number) < 1e15 {
            return String(Int64(number))
        }
        return String(number)
    }
}
