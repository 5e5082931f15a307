import Foundation
import LabAtlasCore

/// What a form field is, independent of what was typed in it.
struct FieldSpec: Sendable {
    enum Kind: String, Sendable {
        case text, textarea, select, checkboxes, number, date, url, email, password, datetimeRows
    }
    var name: String
    var label: String
    var kind: Kind
    var options: [(value: String, label: String)] = []
    var hint: String?
    var required = false
    var rows = 4
    /// `datetimeRows`: the begin/end names of each row are `<name>_begin_<n>` and `<name>_end_<n>`.
    var rowCount = 0
}

/// A field ready for the template: spec, current value(s) and its error.
struct FormField: Encodable {
    var name: String
    var id: String
    var label: String
    var kind: String
    var value: String
    var options: [FormOption]
    var hint: String?
    var hintID: String?
    var error: String?
    var errorID: String?
    var required: Bool
    var rows: Int
    var timingRows: [TimingInputRow]

    /// `aria-describedby`: the hint, then the error, so a screen reader hears both.
    var describedBy: String? {
        let ids = [hintID, errorID].compactMap { $0 }
        return ids.isEmpty ? nil : ids.joined(separator: " ")
    }

    enum CodingKeys: String, CodingKey {
        case name, id, label, kind, value, options, hint, hintID, error, errorID, required, rows, timingRows, describedBy
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(name, forKey: .name)
        try container.encode(id, forKey: .id)
        try container.encode(label, forKey: .label)
        try container.encode(kind, forKey: .kind)
        try container.encode(value, forKey: .value)
        try container.encode(options, forKey: .options)
        try container.encodeIfPresent(hint, forKey: .hint)
        try container.encodeIfPresent(hintID, forKey: .hintID)
        try container.encodeIfPresent(error, forKey: .error)
        try container.encodeIfPresent(errorID, forKey: .errorID)
        try container.encode(required, forKey: .required)
        try container.encode(rows, forKey: .rows)
        try container.encode(timingRows, forKey: .timingRows)
        try container.encodeIfPresent(describedBy, forKey: .describedBy)
    }
}

struct FormOption: Encodable {
    var value: String
    var label: String
    var selected: Bool
    var id: String
}

struct TimingInputRow: Encodable {
    var number: Int
    var beginName: String
    var endName: String
    var beginID: String
    var endID: String
    var begin: String
    var end: String
}

extension FieldSpec {
    /// Fills a spec with what the form holds and the error found for it.
    func render(_ form: FormData, errors: [FieldError]) -> FormField {
        let fieldID = "champ-" + name.replacingOccurrences(of: "_", with: "-")
        let message = errors.filter { $0.field == name || $0.field.hasPrefix(name + ".") }.map(\.message)
        let selected = Set(form.all(name))
        let current = form.raw(name)
        return FormField(
            name: name, id: fieldID, label: label, kind: kind.rawValue, value: current,
            options: options.enumerated().map { index, option in
                FormOption(value: option.value, label: option.label,
                           selected: kind == .checkboxes ? selected.contains(option.value) : current == option.value,
                           id: "\(fieldID)-\(index)")
            },
            hint: hint, hintID: hint == nil ? nil : fieldID + "-aide",
            error: message.isEmpty ? nil : message.joined(separator: " "), errorID: message.isEmpty ? nil : fieldID + "-erreur",
            required: required, rows: rows,
            timingRows: kind == .datetimeRows ? (0..<rowCount).map { row in
                TimingInputRow(number: row + 1, beginName: "\(name)_begin_\(row)", endName: "\(name)_end_\(row)",
                               beginID: "\(fieldID)-debut-\(row)", endID: "\(fieldID)-fin-\(row)",
                               begin: form.raw("\(name)_begin_\(row)"), end: form.raw("\(name)_end_\(row)"))
            } : [])
    }

    static func vocabulary<V: Vocabulary>(_ name: String, _ label: String, _ type: V.Type, required: Bool = false, hint: String? = nil) -> FieldSpec {
        FieldSpec(name: name, label: label, kind: .select, options: V.allCases.map { ($0.rawValue, $0.label) }, hint: hint, required: required)
    }

    static func checkboxes<V: Vocabulary>(_ name: String, _ label: String, _ type: V.Type, hint: String? = nil) -> FieldSpec {
        FieldSpec(name: name, label: label, kind: .checkboxes, options: V.allCases.map { ($0.rawValue, $0.label) }, hint: hint)
    }

    static func markdown(_ name: String, _ label: String, rows: Int = 6, hint: String? = nil) -> FieldSpec {
        FieldSpec(name: name, label: label, kind: .textarea, hint: hint ?? "Mise en forme Markdown possible : **gras**, listes « - », liens [texte](https://…).", rows: rows)
    }

    static let visibility = FieldSpec.vocabulary("visibility", "Visibilité", Visibility.self, required: true,
        hint: "« Membres du réseau » : les membres connectés d'un réseau du lab. « Membres du lab ou du projet » : leur équipe seulement.")

    static let themes = FieldSpec.checkboxes("themes", "Thématiques", Theme.self)
    static let otherThemes = FieldSpec(name: "themes_other", label: "Autres thématiques", kind: .text,
                                       hint: "Mots-clés libres, séparés par des virgules.")
}

/// Lists the forms offer (labs, networks, methods, projects), already limited to what the user may use.
struct FormChoices: Sendable {
    var labs: [(value: String, label: String)] = []
    var networks: [(value: String, label: String)] = []
    var methods: [(value: String, label: String)] = []
    var projects: [(value: String, label: String)] = []
}

extension FormData {
    /// The common fields of every DTO, as a form holds them.
    mutating func setCommon(visibility: Visibility?, themes: [String]) {
        self["visibility"] = (visibility ?? .public).rawValue
        set("themes", themes.filter { Theme(rawValue: $0) != nil })
        self["themes_other"] = themes.filter { Theme(rawValue: $0) == nil }.joined(separator: ", ")
    }

    mutating func setNumber(_ name: String, _ value: Int?) { self[name] = value.map(String.init) }
    mutating func setDecimal(_ name: String, _ value: Double?) {
        self[name] = value.map { String($0).replacingOccurrences(of: ".", with: ",") }
    }
}
