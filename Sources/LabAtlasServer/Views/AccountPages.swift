import Foundation
import LabAtlasCore

/// A generic form page: fields, the errors summary at the top, hidden fields.
struct FormPage: PageContext {
    var layout: Layout
    var heading: String
    var intro: String?
    var action: String
    var submitLabel: String
    var cancelHref: String?
    var fields: [FormField]
    var hidden: [HiddenField]
    var errorSummary: [FieldErrorLink]
    var conflict: ConflictView?
    var csrf: String = ""
    var notice: String?
}

struct FieldErrorLink: Encodable {
    var label: String
    var message: String
    var anchor: String
}

/// Shown when a save started from an old revision: what is there now, and what the user typed.
struct ConflictView: Encodable {
    var currentRevision: Int
    var changes: [ChangeRow]
    var historyHref: String
}

struct ChangeRow: Encodable {
    var field: String
    var label: String
    var old: String?
    var new: String?
    var lines: [DiffLineView]
}

struct DiffLineView: Encodable {
    var kind: String
    var sign: String
    var text: String
}

/// A short message page (confirmation, link to copy…).
struct MessagePage: PageContext {
    var layout: Layout
    var heading: String
    var paragraphs: [String]
    var code: String?
    var codeLabel: String?
    var links: [LinkItem]
}

struct AccountPage: PageContext {
    var layout: Layout
    var name: String
    var email: String
    var isAdmin: Bool
    var memberships: [MembershipRow]
    var tokens: [TokenRow]
    var newToken: String?
    var csrf: String
    var passwordErrors: [String]
    var notice: String?
}

struct MembershipRow: Encodable {
    var scope: String
    var title: String
    var href: String
    var role: String
}

struct TokenRow: Encodable {
    var id: String
    var label: String
    var created: String
    var lastUsed: String?
    var revoked: Bool
}

extension FormPage {
    static func build(layout: Layout, heading: String, action: String, submitLabel: String, specs: [FieldSpec],
                      form: FormData, errors: [FieldError], hidden: [HiddenField] = [], cancelHref: String? = nil,
                      intro: String? = nil) -> FormPage {
        let fields = specs.map { $0.render(form, errors: errors) }
        let labels = Dictionary(specs.map { ($0.name, $0.label) }, uniquingKeysWith: { first, _ in first })
        let ids = Dictionary(fields.map { ($0.name, $0.id) }, uniquingKeys: { first, _ in first })
        var summary = errors.map { error in
            FieldErrorLink(label: labels[error.field] ?? error.field, message: error.message,
                           anchor: "#" + (ids[error.field] ?? "contenu"))
        }
        // Errors on fields the form does not show (slug, stage…) still deserve a place in the summary.
        summary.sort { ($0.anchor == "#contenu" ? 1 : 0) < ($1.anchor == "#contenu" ? 1 : 0) }
        var title = layout
        if !errors.isEmpty { title.title = "Erreur : " + layout.title }
        return FormPage(layout: title, heading: heading, intro: intro, action: action, submitLabel: submitLabel,
                        cancelHref: cancelHref, fields: fields, hidden: hidden, errorSummary: summary, conflict: nil)
    }
}

extension Dictionary {
    init(_ pairs: [(Key, Value)], uniquingKeys combine: (Value, Value) -> Value) {
        self.init(pairs, uniquingKeysWith: combine)
    }
}
