import Foundation

/// The ranking function of SQLite FTS5's `bm25()`, operation for operation,
/// so PostgreSQL (which has no BM25) ranks its candidates exactly as SQLite
/// ranks the same documents and one query gives one order on both engines.
///
/// A document is two columns of analyzed terms, title then body; a clause's
/// frequency is the column-weighted count of its occurrences.
public struct BM25: Sendable {
    public static let k1 = 1.2
    public static let b = 0.75
    /// Title above body: a word in the title counts as five in the body.
    public static let columnWeights: [Double] = [5.0, 1.0]

    let clauses: [SearchQuery.Kind]
    let idf: [Double]
    let averageLength: Double

    /// `documentFrequencies[i]` is how many documents of the whole index match
    /// `clauses[i]`; `rowCount` and `tokenCount` describe the whole index.
    public init(clauses: [SearchQuery.Kind], documentFrequencies: [Int64], rowCount: Int64, tokenCount: Int64) {
        self.clauses = clauses
        self.idf = documentFrequencies.map { hits in
            let idf = log((Double(rowCount - hits) + 0.5) / (Double(hits) + 0.5))
            return idf <= 0.0 ? 1e-6 : idf
        }
        self.averageLength = Double(tokenCount) / Double(max(rowCount, 1))
    }

    /// FTS5's score: negative, lower is better.
    public func score(columns: [[Substring]]) -> Double {
        var frequencies = [Double](repeating: 0, count: clauses.count)
        var length = 0
        for (column, tokens) in columns.enumerated() {
            length += tokens.count
            let weight = column < Self.columnWeights.count ? Self.columnWeights[column] : 1.0
            for (index, clause) in clauses.enumerated() {
                let hits = Self.occurrences(of: clause, in: tokens)
                for _ in 0..<hits { frequencies[index] += weight }
            }
        }
        let k1 = Self.k1, b = Self.b
        let d = Double(length)
        var score = 0.0
        for index in clauses.indices {
            let f = frequencies[index]
            score += idf[index] * ((f * (k1 + 1.0)) / (f + k1 * (1 - b + b * d / averageLength)))
        }
        return -1.0 * score
    }

    static func occurrences(of clause: SearchQuery.Kind, in tokens: [Substring]) -> Int {
        switch clause {
        case .prefix(let prefix):
            return tokens.reduce(0) { $0 + ($1.hasPrefix(prefix) ? 1 : 0) }
        case .terms(let terms):
            guard let first = terms.first, tokens.count >= terms.count else { return 0 }
            var count = 0
            for start in 0...(tokens.count - terms.count) where tokens[start] == first {
                var matches = true
                for offset in 1..<terms.count where tokens[start + offset] != terms[offset] {
                    matches = false
                    break
                }
                if matches { count += 1 }
            }
            return count
        }
    }

    /// Splits a stored column of analyzed terms.
    public static func tokens(_ column: String) -> [Substring] {
        column.split(separator: " ", omittingEmptySubsequences: true)
    }
}
