import Foundation

/// One thing wrong with an input, named by its CONTRACT.md field, explained in French.
public struct FieldError: Hashable, Sendable, Codable, Error, CustomStringConvertible {
    public var field: String
    public var message: String
    public init(_ field: String, _ message: String) {
        self.field = field
        self.message = message
    }
    public var description: String { "\(field) : \(message)" }
}

/// Collects field errors; each item type adds its own rules in `validate()`.
public struct Validator {
    public private(set) var errors: [FieldError] = []
    public init() {}

    public mutating func fail(_ field: String, _ message: String) {
        errors.append(FieldError(field, message))
    }

    public mutating func requireText(_ value: String?, _ field: String, maxLength: Int = 300) {
        let trimmed = value?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        if trimmed.isEmpty { fail(field, "Ce champ est obligatoire.") }
        else if trimmed.count > maxLength { fail(field, "Ce champ dépasse \(maxLength) caractères.") }
    }

    public mutating func limitText(_ value: String?, _ field: String, maxLength: Int = 20_000) {
        if let value, value.count > maxLength { fail(field, "Ce texte dépasse \(maxLength) caractères.") }
    }

    public mutating func checkURL(_ value: String?, _ field: String) {
        guard let value, !value.isEmpty else { return }
        guard WebLink.isSafe(value) else {
            fail(field, "Adresse web invalide : elle doit commencer par https:// ou http://.")
            return
        }
    }

    public mutating func checkSlug(_ value: String?) {
        guard let value else { return }
        if !TextFolding.isValidSlug(value) {
            fail("slug", "L'identifiant ne peut contenir que des lettres minuscules sans accent, des chiffres et des tirets.")
        }
    }

    public mutating func checkCoordinates(latitude: Double?, longitude: Double?) {
        if (latitude == nil) != (longitude == nil) {
            fail(latitude == nil ? "latitude" : "longitude", "Latitude et longitude vont ensemble : renseignez les deux ou aucune.")
        }
        if let latitude, !(-90...90).contains(latitude) { fail("latitude", "La latitude doit être comprise entre -90 et 90.") }
        if let longitude, !(-180...180).contains(longitude) { fail("longitude", "La longitude doit être comprise entre -180 et 180.") }
    }

    public mutating func checkPostalCode(_ value: String?, _ field: String = "postal_code") {
        guard let value, !value.isEmpty else { return }
        if value.count != 5 || !value.allSatisfy({ $0.isASCII && $0.isNumber }) {
            fail(field, "Le code postal doit compter 5 chiffres.")
        }
    }

    public mutating func checkThemes(_ values: [String]) {
        for value in values where value.trimmingCharacters(in: .whitespaces).isEmpty || value.count > 80 {
            fail("themes", "Chaque thématique doit compter entre 1 et 80 caractères.")
            return
        }
    }

    public mutating func checkSlugList(_ values: [String], _ field: String) {
        for value in values where !TextFolding.isValidSlug(value) {
            fail(field, "« \(value) » n'est pas un identifiant valide.")
        }
    }
}

/// Links users type: only web addresses, never `javascript:` and friends.
public enum WebLink {
    public static func isSafe(_ value: String) -> Bool {
        let lower = value.lowercased()
        guard lower.hasPrefix("https://") || lower.hasPrefix("http://"), value.count <= 2000,
              let url = URL(string: value), let host = url.host, !host.isEmpty else { return false }
        return !value.contains(where: { $0.isWhitespace })
    }

    public static func isSafeEmail(_ value: String) -> Bool {
        let parts = value.split(separator: "@")
        return parts.count == 2 && parts[1].contains(".") && !value.contains(where: { $0.isWhitespace || $0 == "<" || $0 == ">" })
    }
}
