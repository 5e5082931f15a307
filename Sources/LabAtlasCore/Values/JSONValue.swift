/// Any JSON value, for `extra`: fields kept from an import that have no home of their own.
public enum JSONValue: Hashable, Sendable, Codable {
    case string(String)
    case number(Double)
    case bool(Bool)
    case array([JSONValue])
    case object([String: JSONValue])
    case null

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() { self = .null }
        else if let value = try? container.decode(Bool.self) { self = .bool(value) }
        else if let value = try? container.decode(Double.self) { self = .number(value) }
        else if let value = try? container.decode(String.self) { self = .string(value) }
        else if let value = try? container.decode([JSONValue].self) { self = .array(value) }
        else { self = .object(try container.decode([String: JSONValue].self)) }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .string(let value): try container.encode(value)
        case .number(let value):
            if value.rounded() == value, abs(value) < 1e15 { try container.encode(Int64(value)) } else { try container.encode(value) }
        case .bool(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        case .null: try container.encodeNil()
        }
    }

    /// A short human-readable rendering, for the "Autres informations" block of a page.
    public var displayText: String {
        switch self {
        case .string(let value): value
        case .number(let value): value.rounded() == value ? String(Int64(value)) : String(value)
        case .bool(let value): value ? "oui" : "non"
        case .array(let values): values.map(\.displayText).joined(separator: ", ")
        case .object(let values): values.sorted { $0.key < $1.key }.map { "\($0.key) : \($0.value.displayText)" }.joined(separator: " ; ")
        case .null: ""
        }
    }
}

/// Where an imported item came from, so a re-import updates it instead of duplicating it.
public struct SourceRef: Hashable, Sendable, Codable {
    public var system: String
    public var id: String?
    public var url: String?
    public init(system: String, id: String? = nil, url: String? = nil) {
        self.system = system
        self.id = id
        self.url = url
    }
}
