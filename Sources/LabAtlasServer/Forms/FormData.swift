import Foundation
import LabAtlasCore
import Vapor

/// A submitted form as the browser sent it: every name with all its values,
/// in order (checkboxes repeat their name).
struct FormData: Sendable {
    private(set) var values: [String: [String]] = [:]

    init() {}

    init(urlEncoded body: String) {
        for pair in body.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let rawName = parts.first else { continue }
            let decode = { (text: Substring) in
                String(text).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? ""
            }
            values[decode(rawName), default: []].append(parts.count > 1 ? decode(parts[1]) : "")
        }
    }

    /// Reads a urlencoded POST body; anything else is a 415 with a clear message.
    static func from(_ request: Request) throws -> FormData {
        guard request.headers.contentType == .urlEncodedForm || request.headers.contentType == nil else {
            throw Abort(.unsupportedMediaType, reason: "Ce formulaire attend des données « application/x-www-form-urlencoded ».")
        }
        guard var body = request.body.data else { return FormData() }
        return FormData(urlEncoded: body.readString(length: body.readableBytes) ?? "")
    }

    subscript(_ name: String) -> String? {
        get {
            guard let value = values[name]?.first else { return nil }
            let trimmed = value.trimmingCharacters(in: .whitespacesAndNewlines)
            return trimmed.isEmpty ? nil : value
        }
        set { values[name] = newValue.map { [$0] } }
    }

    func all(_ name: String) -> [String] {
        (values[name] ?? []).filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
    }

    mutating func set(_ name: String, _ list: [String]) { values[name] = list }

    /// Raw value for redisplay, untrimmed, so nothing typed is lost.
    func raw(_ name: String) -> String { values[name]?.first ?? "" }
}

/// Parsers that turn form text into typed values, recording a French error when they cannot.
struct FormReader {
    let form: FormData
    var errors: [FieldError] = []

    init(_ form: FormData) { self.form = form }

    func text(_ name: String) -> String? { form[name]?.trimmingCharacters(in: .whitespacesAndNewlines) }

    mutating func vocabulary<V: Vocabulary>(_ name: String, _ type: V.Type) -> V? {
        guard let value = text(name) else { return nil }
        guard let parsed = V.parse(value) else {
            errors.append(FieldError(name, "Valeur inconnue : choisissez dans la liste."))
            return nil
        }
        return parsed
    }

    mutating func vocabularies<V: Vocabulary>(_ name: String, _ type: V.Type) -> [V] {
        form.all(name).compactMap { value in
            guard let parsed = V.parse(value) else {
                errors.append(FieldError(name, "Valeur inconnue « \(value) »."))
                return nil
            }
            return parsed
        }
    }

    mutating func integer(_ name: String, _ range: ClosedRange<Int>? = nil) -> Int? {
        guard let value = text(name) else { return nil }
        guard let number = Int(value.replacingOccurrences(of: " ", with: "").replacingOccurrences(of: "\u{202F}", with: "")) else {
            errors.append(FieldError(name, "Indiquez un nombre entier."))
            return nil
        }
        if let range, !range.contains(number) {
            errors.append(FieldError(name, "Indiquez un nombre entre \(range.lowerBound) et \(range.upperBound)."))
            return nil
        }
        return number
    }

    mutating func decimal(_ name: String) -> Double? {
        guard let value = text(name) else { return nil }
        guard let number = Double(value.replacingOccurrences(of: ",", with: ".")) else {
            errors.append(FieldError(name, "Indiquez un nombre décimal, par exemple 45,76."))
            return nil
        }
        return number
    }

    mutating func date(_ name: String) -> CalendarDate? {
        guard let value = text(name) else { return nil }
        guard let date = CalendarDate(value) ?? FrenchDateInput.parse(value) else {
            errors.append(FieldError(name, "Date invalide : attendu AAAA-MM-JJ ou JJ/MM/AAAA."))
            return nil
        }
        return date
    }

    mutating func partialDate(_ name: String) -> PartialDate? {
        guard let value = text(name) else { return nil }
        guard let date = PartialDate(value) else {
            errors.append(FieldError(name, "Date invalide : attendu AAAA, AAAA-MM ou AAAA-MM-JJ."))
            return nil
        }
        return date
    }

    mutating func boolean(_ name: String) -> Bool? {
        switch text(name) {
        case "true", "oui", "on", "1": true
        case "false", "non", "0": false
        default: nil
        }
    }

    /// A comma- or line-separated list of free values.
    func list(_ name: String) -> [String] {
        (text(name) ?? "").split(whereSeparator: { $0 == "," || $0 == "\n" || $0 == ";" })
            .map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.filter { !$0.isEmpty }
    }

    /// Checked vocabulary themes plus the free tags typed beside them.
    func themes() -> [String] { form.all("themes") + list("themes_other") }
}

/// "14/03/2022", as French users type dates.
enum FrenchDateInput {
    static func parse(_ text: String) -> CalendarDate? {
        let parts = text.split(separator: "/")
        guard parts.count == 3, let day = Int(parts[0]), let month = Int(parts[1]), let year = Int(parts[2]) else { return nil }
        return CalendarDate(year: year, month: month, day: day)
    }
}

/// Event times typed in a `datetime-local` field are Paris wall-clock times.
enum ParisLocalInput {
    static func parse(_ text: String) -> Date? {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = ParisTime.zone
        for format in ["yyyy-MM-dd'T'HH:mm", "yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd HH:mm"] {
            formatter.dateFormat = format
            if let date = formatter.date(from: text.trimmingCharacters(in: .whitespaces)) { return date }
        }
        return ParisTime.parse(text)
    }

    static func format(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = ParisTime.zone
        formatter.dateFormat = "yyyy-MM-dd'T'HH:mm"
        return formatter.string(from: date)
    }
}
