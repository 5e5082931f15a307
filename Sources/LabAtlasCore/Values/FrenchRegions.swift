/// The 18 regions (INSEE codes and names, as in shared/geo/regions.csv).
public enum FrenchRegions {
    public static let all: [(code: String, name: String)] = [
        ("01", "Guadeloupe"), ("02", "Martinique"), ("03", "Guyane"), ("04", "La Réunion"), ("06", "Mayotte"),
        ("11", "Île-de-France"), ("24", "Centre-Val de Loire"), ("27", "Bourgogne-Franche-Comté"),
        ("28", "Normandie"), ("32", "Hauts-de-France"), ("44", "Grand Est"), ("52", "Pays de la Loire"),
        ("53", "Bretagne"), ("75", "Nouvelle-Aquitaine"), ("76", "Occitanie"), ("84", "Auvergne-Rhône-Alpes"),
        ("93", "Provence-Alpes-Côte d'Azur"), ("94", "Corse"),
    ]

    public static let overseasCodes: Set<String> = ["01", "02", "03", "04", "06"]

    /// "ile de france", "Île-de-France" and "ILE-DE-FRANCE" all give "Île-de-France".
    public static func canonicalName(_ input: String) -> String? {
        let wanted = VocabularyMatching.normalise(input)
        return all.first { VocabularyMatching.normalise($0.name) == wanted || $0.code == input }?.name
    }

    public static func isOverseas(_ name: String) -> Bool {
        all.contains { $0.name == name && overseasCodes.contains($0.code) }
    }
}
