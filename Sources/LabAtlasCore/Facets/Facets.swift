/// The list filters of each item type: the query parameter, its French
/// label, and how its values are checked and labelled.
public struct FacetDefinition: Sendable, Hashable {
    public enum Values: Sendable, Hashable {
        /// A closed vocabulary: unknown values are a 400.
        case vocabulary([String: String], order: [String])
        /// Slugs of other items (lab, network, method): labelled from the database.
        case reference(ItemType)
        /// Free values (themes beyond the vocabulary, regions): labelled as themselves.
        case free
        /// A four-digit year.
        case year
    }

    public let name: String
    public let label: String
    public let values: Values

    public init(name: String, label: String, values: Values) {
        self.name = name
        self.label = label
        self.values = values
    }

    static func vocabulary<V: Vocabulary>(_ name: String, _ label: String, _ type: V.Type) -> FacetDefinition {
        FacetDefinition(name: name, label: label, values: .vocabulary(
            Dictionary(uniqueKeysWithValues: V.allCases.map { ($0.rawValue, $0.label) }),
            order: V.allCases.map(\.rawValue)))
    }

    /// Checks a value typed in a URL; returns the French reason when it is not acceptable.
    public func problem(with value: String) -> String? {
        switch values {
        case .vocabulary(let labels, let order):
            return labels[value] == nil ? "valeur inconnue « \(value) » ; attendu : \(order.joined(separator: ", "))" : nil
        case .reference:
            return TextFolding.isValidSlug(value) ? nil : "identifiant invalide « \(value) »"
        case .free:
            return value.isEmpty || value.count > 120 ? "valeur invalide" : nil
        case .year:
            guard value.count == 4, let year = Int(value), (1900...2200).contains(year) else {
                return "année invalide « \(value) » ; attendu une année sur quatre chiffres"
            }
            return nil
        }
    }

    /// The label of a value, when the facet itself knows it.
    public func label(for value: String) -> String {
        switch values {
        case .vocabulary(let labels, _): return labels[value] ?? value
        case .free:
            if name == "theme" { return Theme(rawValue: value)?.label ?? value }
            if name == "service" { return Service(rawValue: value)?.label ?? value }
            return value
        default: return value
        }
    }

    /// Vocabulary facets list their values in the vocabulary's order; others by count.
    public var fixedOrder: [String]? {
        if case .vocabulary(_, let order) = values { return order }
        return nil
    }
}

public enum FacetCatalog {
    static let theme = FacetDefinition(name: "theme", label: "Thématique", values: .free)
    static let region = FacetDefinition(name: "region", label: "Région", values: .free)
    static let lab = FacetDefinition(name: "lab", label: "Lab", values: .reference(.labs))
    static let year = FacetDefinition(name: "year", label: "Année", values: .year)

    public static func facets(for type: ItemType) -> [FacetDefinition] {
        switch type {
        case .labs:
            [.vocabulary("maturity", "État d'avancement", Maturity.self),
             .vocabulary("government_level", "Niveau d'administration", GovernmentLevel.self),
             region,
             FacetDefinition(name: "network", label: "Réseau", values: .reference(.networks)),
             theme,
             FacetDefinition(name: "service", label: "Offre de service", values: .free)]
        case .projects:
            [.vocabulary("stage", "Phase", Stage.self), theme, region, lab,
             FacetDefinition(name: "year", label: "Année de lancement", values: .year)]
        case .experiences:
            [theme, .vocabulary("cooperation", "Type de coopération", Cooperation.self),
             .vocabulary("audience", "Public", Audience.self), year, region, lab]
        case .sessions:
            [.vocabulary("nature", "Nature", SessionNature.self),
             .vocabulary("level", "Niveau d'accompagnement", AccompanimentLevel.self),
             .vocabulary("format", "Format", SessionFormat.self), year, region, lab,
             FacetDefinition(name: "method", label: "Méthode utilisée", values: .reference(.methods))]
        case .events:
            [FacetDefinition(name: "when", label: "Période", values: .vocabulary(
                ["upcoming": "À venir", "past": "Passés"], order: ["upcoming", "past"])),
             .vocabulary("status", "Statut", EventStatus.self),
             .vocabulary("attendance", "Modalité", Attendance.self), year, region, lab, theme]
        case .methods:
            [.vocabulary("category", "Catégorie", MethodCategory.self),
             FacetDefinition(name: "remote_ok", label: "À distance", values: .vocabulary(
                ["true": "Possible à distance", "false": "En présentiel seulement"], order: ["true", "false"])),
             theme]
        case .networks:
            [theme]
        }
    }
}
