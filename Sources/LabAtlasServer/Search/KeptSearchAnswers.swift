import Fluent
import SQLKit
import LabAtlasCore

/// Where the search index stands: its next document number and how many
/// documents it holds. Every write moves the first; a removal (a deletion, or
/// the old document of a rewritten item) moves the second back.
struct SearchIndexMark: Sendable, Equatable {
    var sequence: Int64
    var rows: Int64

    /// Every type's versions (`ContentVersions`) and the index's mark, in one statement.
    static func readWithVersions(on sql: any SQLDatabase) async throws -> (versions: [ContentVersions.Part: Int64], mark: SearchIndexMark) {
        let rows = try await sql.raw("""
            SELECT \(unsafeRaw: ContentVersions.columns), s.next_sequence, s.row_count
            FROM \(unsafeRaw: ContentVersions.table) c LEFT JOIN \(unsafeRaw: SearchSchema.statistics) s ON s.id = 1
            """).all()
        let mark = SearchIndexMark(sequence: try rows.first?.decode(column: "next_sequence", as: Int64?.self) ?? 0,
                                   rows: try rows.first?.decode(column: "row_count", as: Int64?.self) ?? 0)
        return (try ContentVersions.versions(in: rows), mark)
    }
}

/// When a search answer kept for visitors (`VisitorPageCache`) still holds
/// though the index has been written since it was ranked.
///
/// It holds while documents were only added (no removal: nothing it listed or
/// counted is gone or rewritten), none of them could match the query
/// (`SearchQuery.mayMatch`, which never says no to a match), and the index
/// has grown by at most five to ten documents in a hundred since the ranking
/// (spread by the answer's URL: answers ranked together, at start, no longer
/// expire at the same write and are ranked again all at once): the same
/// documents match, with the same counts, texts and candidates; only the
/// corpus statistics BM25 weighs them with have moved. Five in a hundred more
/// documents add about ln 1.05 ≈ 0.05 to every term's weight (5 to 10 for
/// the words of a search in an atlas of 100,000): the scores move by well
/// under one percent, and only results tied that closely could change
/// places. The average length moves by a twentieth of how far the new
/// documents' lengths are from it.
/// Ranked again at one in a hundred, the answers of a busy server took a
/// tenth of its processor (every answer every ten seconds at a hundred
/// writes a second) to keep an order that had not changed.
/// What other types' pages show of an item (names, visibility) is in the
/// page's stamp.
enum KeptSearchAnswers {
    struct Mark: Sendable, Equatable {
        /// The index the answer was ranked from.
        var ranked: SearchIndexMark
        /// The index the answer was last found to hold for.
        var checked: SearchIndexMark
    }

    /// The growth an answer lasts, in documents in a hundred, before its spread.
    static let growthAllowance: Int64 = 5

    /// `spread`: how much longer than `growthAllowance` the answer lasts, in
    /// hundredths of it (0 to 99; `spread(of:)`).
    static func holds(_ mark: Mark, now: SearchIndexMark, query: SearchQuery, spread: Int64 = 0,
                      on sql: any SQLDatabase) async throws -> Bool {
        if now == mark.checked { return true }
        let added = now.sequence - mark.checked.sequence
        guard added > 0, now.rows - mark.checked.rows == added,
              (now.sequence - mark.ranked.sequence) * 10_000 <= now.rows * growthAllowance * (100 + spread) else { return false }
        return try await !termsWritten(since: mark.checked.sequence, startingWithOneOf: query.mayMatchWords, on: sql)
            .contains { query.mayMatch(documentTerms: $0) }
    }

    /// The spread of the answer kept under `key` (its URL), 0 to 99, from the
    /// URL's bytes (FNV-1a): the same from one run to the next.
    static func spread(of key: String) -> Int64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in key.utf8 { hash = (hash ^ UInt64(byte)) &* 0x0100_0000_01b3 }
        return Int64(hash % 100)
    }

    /// The indexed terms of every document numbered from `sequence` on, but
    /// those where no term starts with one of `words` (when given): under
    /// writes a kept answer is checked about once a second, against a hundred
    /// new documents, and the database sets aside those that cannot match
    /// faster than their terms can be handed over and split.
    static func termsWritten(since sequence: Int64, startingWithOneOf words: [String]? = nil,
                             on sql: any SQLDatabase) async throws -> [Set<Substring>] {
        // A document's number starts with its type and visibility: one range each, read by primary key.
        let ranges: [any SQLExpression] = ItemType.allCases.flatMap { type in
            Visibility.allCases.map { visibility -> any SQLExpression in
                SQLGroupExpression(SQLBinaryExpression(
                    left: SQLBinaryExpression(left: SQLColumn("doc_id"), op: SQLBinaryOperator.greaterThanOrEqual,
                                              right: SQLBind(SearchDocID.make(type: type, visibility: visibility, sequence: max(sequence, 1)))),
                    op: SQLBinaryOperator.and,
                    right: SQLBinaryExpression(left: SQLColumn("doc_id"), op: SQLBinaryOperator.lessThanOrEqual,
                                               right: SQLBind(SearchDocID.range(type: type, visibilities: [visibility]).upperBound))))
            }
        }
        var select = sql.select().column("terms_title").column("terms_body").from(SearchSchema.texts).where(SQLGroupExpression.anyOf(ranges))
        if let words {
            // Terms are separated by single spaces: " word" starts a term, the first one too.
            let text = SQLRaw("(' ' || terms_title || ' ' || terms_body)")
            select = select.where(SQLGroupExpression.anyOf(words.map { word in
                SQLBinaryExpression(left: text, op: SQLBinaryOperator.like, right: EscapedLikePattern(containing: " " + word))
            }))
        }
        return try await select.all().map { row in
            Set(BM25.tokens(try row.decode(column: "terms_title", as: String.self)))
                .union(BM25.tokens(try row.decode(column: "terms_body", as: String.self)))
        }
    }
}
