import Fluent
import SQLKit
import Vapor
import LabAtlasCore

/// Who is reading, and so what they may see. Every read of items goes
/// through `visible(to:)` (Fluent) or `whereVisible(to:)` (SQLKit): this file
/// is the one place visibility is decided.
struct Reader: Sendable {
    /// The visibilities this reader sees everywhere.
    let visibilities: [Visibility]

    static let anonymous = Reader(visibilities: [.public])
    /// The system itself (indexing, demo loading): sees everything, never serves a page.
    static let system = Reader(visibilities: Visibility.allCases)

    var seesEverything: Bool { Set(visibilities) == Set(Visibility.allCases) }
}

extension Request {
    /// Until accounts exist every visitor is anonymous, so only public items are served.
    var reader: Reader { .anonymous }
}

extension QueryBuilder where Model: AtlasModel {
    func visible(to reader: Reader) -> Self {
        filter(.path([CommonColumn.visibility], schema: Model.schemaOrAlias), .subset(inverse: false),
               .array(reader.visibilities.map { .bind($0.rawValue) }))
    }
}

extension Reader {
    /// `visibility IN (…)` for raw SQL over an item table.
    func visibilityPredicate(table: String? = nil) -> any SQLExpression {
        let column: any SQLExpression = table.map { SQLColumn("visibility", table: $0) } ?? SQLColumn("visibility")
        return SQLBinaryExpression(left: column, op: SQLBinaryOperator.in, right: SQLBind.group(visibilities.map(\.rawValue)))
    }
}

extension SQLPredicateBuilder {
    func whereVisible(to reader: Reader, table: String? = nil) -> Self {
        self.where(reader.visibilityPredicate(table: table))
    }
}
