/// Decodes a missing or null list as empty, so clients may omit list fields.
@propertyWrapper
public struct DefaultEmpty<Element: Codable & Sendable & Hashable>: Codable, Sendable, Hashable {
    public var wrappedValue: [Element]
    public init(wrappedValue: [Element] = []) { self.wrappedValue = wrappedValue }
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        wrappedValue = container.decodeNil() ? [] : try container.decode([Element].self)
    }
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(wrappedValue)
    }
}

/// Decodes a missing or null object as empty.
@propertyWrapper
public struct DefaultEmptyObject: Codable, Sendable, Hashable {
    public var wrappedValue: [String: JSONValue]
    public init(wrappedValue: [String: JSONValue] = [:]) { self.wrappedValue = wrappedValue }
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        wrappedValue = container.decodeNil() ? [:] : try container.decode([String: JSONValue].self)
    }
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(wrappedValue)
    }
}

extension KeyedDecodingContainer {
    public func decode<Element>(_ type: DefaultEmpty<Element>.Type, forKey key: Key) throws -> DefaultEmpty<Element> {
        try decodeIfPresent(type, forKey: key) ?? DefaultEmpty()
    }
    public func decode(_ type: DefaultEmptyObject.Type, forKey key: Key) throws -> DefaultEmptyObject {
        try decodeIfPresent(type, forKey: key) ?? DefaultEmptyObject()
    }
}
