import Foundation
import LabAtlasCore

/// One item as the search index stores it.
struct SearchDocument: Sendable {
    var type: ItemType
    var id: UUID
    var slug: String
    var title: String
    var visibility: Visibility
    var bodyText: String
    var titleTerms: [String]
    var bodyTerms: [String]

    init<K: ItemKind>(_ kind: K.Type, _ model: K.M) throws {
        let text = K.searchText(of: model)
        type = K.type
        id = try model.requiredID
        slug = model.slug
        title = text.title
        visibility = model.visibility
        bodyText = text.bodyText
        titleTerms = FrenchAnalyzer.terms(text.title)
        bodyTerms = FrenchAnalyzer.terms(bodyText)
    }

    var termCount: Int { titleTerms.count + bodyTerms.count }
    var storedTitleTerms: String { titleTerms.joined(separator: " ") }
    var storedBodyTerms: String { bodyTerms.joined(separator: " ") }
    var distinctTerms: Set<String> { Set(titleTerms).union(bodyTerms) }

    /// PostgreSQL's `tsvector` literal: title terms weighted A, body terms after a
    /// gap so no phrase spans the two columns (FTS5 phrases never do).
    var tsvectorLiteral: String {
        Self.tsvector([(titleTerms, 1, "A"), (bodyTerms, titleTerms.count + 2, "")])
    }

    /// The title alone, to rank title matches first among candidates.
    var titleTsvectorLiteral: String {
        Self.tsvector([(titleTerms, 1, "")])
    }

    private static func tsvector(_ columns: [(terms: [String], start: Int, weight: String)]) -> String {
        var positions: [String: [String]] = [:]
        var order: [String] = []
        for column in columns {
            for (offset, term) in column.terms.enumerated() {
                if positions[term] == nil {
                    order.append(term)
                    positions[term] = []
                }
                // PostgreSQL keeps positions up to 16383, and 256 per lexeme.
                let position = column.start + offset
                if position <= 16_383, positions[term, default: []].count < 256 {
                    positions[term, default: []].append("\(position)\(column.weight)")
                }
            }
        }
        return order.map { term in
            let list = positions[term, default: []]
            return SearchQuery.quotedLexeme(term) + (list.isEmpty ? "" : ":" + list.joined(separator: ","))
        }.joined(separator: " ")
    }
}
