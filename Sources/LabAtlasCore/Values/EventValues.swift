import Foundation

/// One occurrence of an event (a day of a two-day seminar, say).
public struct Timing: Hashable, Sendable, Codable {
    public var begin: Date
    public var end: Date
    public init(begin: Date, end: Date) {
        self.begin = begin
        self.end = end
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        begin = try Self.decodeInstant(container, .begin)
        end = try Self.decodeInstant(container, .end)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(ParisTime.iso8601(begin), forKey: .begin)
        try container.encode(ParisTime.iso8601(end), forKey: .end)
    }

    enum CodingKeys: String, CodingKey { case begin, end }

    private static func decodeInstant(_ container: KeyedDecodingContainer<CodingKeys>, _ key: CodingKeys) throws -> Date {
        let text = try container.decode(String.self, forKey: key)
        guard let date = ParisTime.parse(text) else {
            throw DecodingError.dataCorruptedError(forKey: key, in: container,
                debugDescription: "attendu une date ISO 8601 avec décalage, par exemple 2026-03-12T09:30:00+01:00")
        }
        return date
    }
}

public struct Place: Hashable, Sendable, Codable {
    public var name: String?
    public var address: String?
    public var postalCode: String?
    public var city: String?
    public var latitude: Double?
    public var longitude: Double?

    public init(name: String? = nil, address: String? = nil, postalCode: String? = nil, city: String? = nil,
                latitude: Double? = nil, longitude: Double? = nil) {
        self.name = name
        self.address = address
        self.postalCode = postalCode
        self.city = city
        self.latitude = latitude
        self.longitude = longitude
    }

    enum CodingKeys: String, CodingKey {
        case name, address, city, latitude, longitude
        case postalCode = "postal_code"
    }

    public var isEmpty: Bool {
        [name, address, postalCode, city].allSatisfy { ($0 ?? "").isEmpty } && latitude == nil && longitude == nil
    }
}

/// Event times are shown and written in Europe/Paris, as DESIGN.md says.
public enum ParisTime {
    public static let zone = TimeZone(identifier: "Europe/Paris") ?? TimeZone(secondsFromGMT: 3600)!

    private static var calendar: Calendar {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        return calendar
    }

    /// Accepts ISO 8601 with an offset or `Z`, with or without seconds and fractions.
    public static func parse(_ text: String) -> Date? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        for options: ISO8601DateFormatter.Options in [
            [.withInternetDateTime], [.withInternetDateTime, .withFractionalSeconds],
        ] {
            let formatter = ISO8601DateFormatter()
            formatter.formatOptions = options
            if let date = formatter.date(from: trimmed) { return date }
        }
        // "2026-03-12T09:30+01:00": seconds omitted.
        if let tIndex = trimmed.firstIndex(of: "T") {
            let time = trimmed[trimmed.index(after: tIndex)...]
            if time.count >= 5, time.dropFirst(5).first.map({ $0 == "+" || $0 == "-" || $0 == "Z" }) == true {
                var withSeconds = trimmed
                withSeconds.insert(contentsOf: ":00", at: trimmed.index(tIndex, offsetBy: 6))
                let formatter = ISO8601DateFormatter()
                formatter.formatOptions = [.withInternetDateTime]
                return formatter.date(from: withSeconds)
            }
        }
        return nil
    }

    /// "2026-03-12T09:30:00+01:00".
    public static func iso8601(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = zone
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: date)
    }

    public static func components(_ date: Date) -> DateComponents {
        calendar.dateComponents([.year, .month, .day, .hour, .minute, .weekday], from: date)
    }

    public static func calendarDate(_ date: Date) -> CalendarDate {
        let parts = components(date)
        return CalendarDate(year: parts.year ?? 1970, month: parts.month ?? 1, day: parts.day ?? 1)!
    }

    /// "jeudi 12 mars 2026".
    public static func dayLabel(_ date: Date) -> String {
        let parts = components(date)
        let weekday = FrenchCalendar.weekdayNames[((parts.weekday ?? 1) - 1) % 7]
        return "\(weekday) \(calendarDate(date).frenchLabel)"
    }

    /// "9 h 30".
    public static func timeLabel(_ date: Date) -> String {
        let parts = components(date)
        let minute = parts.minute ?? 0
        return minute == 0 ? "\(parts.hour ?? 0) h" : "\(parts.hour ?? 0) h \(String(twoDigits: minute))"
    }

    /// "jeudi 12 mars 2026, de 9 h 30 à 17 h" or across days "du … au …".
    public static func rangeLabel(_ timing: Timing) -> String {
        if calendarDate(timing.begin) == calendarDate(timing.end) {
            return "\(dayLabel(timing.begin)), de \(timeLabel(timing.begin)) à \(timeLabel(timing.end))"
        }
        return "du \(dayLabel(timing.begin)) à \(timeLabel(timing.begin)) au \(dayLabel(timing.end)) à \(timeLabel(timing.end))"
    }
}
