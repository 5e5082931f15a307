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
        return combine(frequencies, length: length)
    }

    /// The same score from the stored columns (terms separated by single
    /// spaces), read as bytes: ranking scores hundreds of candidates a query,
    /// and splitting them into `Substring`s cost more than the database work.
    public func score(storedColumns: [String]) -> Double {
        guard storedColumns.count == 2 else { return score(columns: storedColumns.map(Self.tokens)) }
        return scores(packed: "0\t" + storedColumns[0] + "\t" + storedColumns[1]).first?.score ?? 0
    }

    /// Scores of documents packed one a line as `number<TAB>title terms<TAB>body terms`
    /// (what `search_texts` gives aggregated into one string).
    public func scores(packed: String) -> [(document: Int64, score: Double)] {
        var packed = packed
        var results: [(document: Int64, score: Double)] = []
        guard let matcher = ByteMatcher(clauses) else {
            for line in packed.split(separator: "\n") {
                let fields = line.split(separator: "\t", omittingEmptySubsequences: false)
                guard fields.count == 3, let number = Int64(fields[0]) else { continue }
                results.append((number, score(columns: [Self.tokens(String(fields[1])), Self.tokens(String(fields[2]))])))
            }
            return results
        }
        var marks: [UInt64] = []
        var frequencies = [Double](repeating: 0, count: clauses.count)
        packed.withUTF8 { bytes in
            var lineStart = 0
            for index in 0...bytes.count where index == bytes.count || bytes[index] == 0x0A {
                defer { lineStart = index + 1 }
                guard index > lineStart else { continue }
                let line = UnsafeBufferPointer(rebasing: bytes[lineStart..<index])
                guard let firstTab = line.firstIndex(of: 0x09),
                      let secondTab = line[(firstTab + 1)...].firstIndex(of: 0x09),
                      let number = Self.integer(UnsafeBufferPointer(rebasing: line[..<firstTab])) else { continue }
                for index in frequencies.indices { frequencies[index] = 0 }
                let length = count(UnsafeBufferPointer(rebasing: line[(firstTab + 1)..<secondTab]), weight: Self.columnWeights[0],
                                   matcher: matcher, marks: &marks, into: &frequencies)
                    + count(UnsafeBufferPointer(rebasing: line[(secondTab + 1)...]), weight: Self.columnWeights[1],
                            matcher: matcher, marks: &marks, into: &frequencies)
                results.append((number, combine(frequencies, length: length)))
            }
        }
        return results
    }

    /// A column's tokens, its clauses' occurrences added to `frequencies` with `weight`.
    private func count(_ bytes: UnsafeBufferPointer<UInt8>, weight: Double, matcher: ByteMatcher, marks: inout [UInt64],
                       into frequencies: inout [Double]) -> Int {
        if let units = matcher.singleUnits {
            // No phrase: each token counts alone, and most are told apart from
            // the query's by their first byte, without a comparison.
            var tokens = 0
            var start = 0
            for index in 0...bytes.count where index == bytes.count || bytes[index] == 0x20 {
                defer { start = index + 1 }
                guard index > start else { continue }
                tokens += 1
                guard matcher.startsSomeTerm[Int(bytes[start])] else { continue }
                let mark = matcher.mark(UnsafeBufferPointer(rebasing: bytes[start..<index]))
                guard mark != 0 else { continue }
                for (clause, unit) in units.enumerated() where mark & unit != 0 { frequencies[clause] += weight }
            }
            return tokens
        }
        marks.removeAll(keepingCapacity: true)
        var start = 0
        for index in 0...bytes.count where index == bytes.count || bytes[index] == 0x20 {
            if index > start { marks.append(matcher.mark(UnsafeBufferPointer(rebasing: bytes[start..<index]))) }
            start = index + 1
        }
        for (index, units) in matcher.clauseUnits.enumerated() {
            let hits = ByteMatcher.occurrences(of: units, in: marks)
            if hits > 0 { frequencies[index] += Double(hits) * weight }
        }
        return marks.count
    }

    /// A document number written in ASCII digits.
    private static func integer(_ bytes: UnsafeBufferPointer<UInt8>) -> Int64? {
        guard !bytes.isEmpty, bytes.count <= 18 else { return nil }
        var value: Int64 = 0
        for byte in bytes {
            guard byte >= 0x30, byte <= 0x39 else { return nil }
            value = value * 10 + Int64(byte - 0x30)
        }
        return value
    }

    /// FTS5's formula, from each clause's weighted frequency and the document's length.
    private func combine(_ frequencies: [Double], length: Int) -> Double {
        let k1 = Self.k1, b = Self.b
        let d = Double(length)
        var score = 0.0
        for index in clauses.indices {
            let f = frequencies[index]
            score += idf[index] * ((f * (k1 + 1.0)) / (f + k1 * (1 - b + b * d / averageLength)))
        }
        return -1.0 * score
    }

    /// The query's distinct terms and prefixes as bytes, each a bit of a token's mark.
    struct ByteMatcher {
        var exact: [[UInt8]] = []
        var prefixes: [[UInt8]] = []
        /// Per clause: the bits its tokens must carry, in order (one for a term or a prefix).
        var clauseUnits: [[UInt64]] = []
        /// Each clause's one bit, when no clause is a phrase.
        var singleUnits: [UInt64]?
        /// Whether a token starting with this byte can match a term or a prefix.
        var startsSomeTerm = [Bool](repeating: false, count: 256)

        init?(_ clauses: [SearchQuery.Kind]) {
            for clause in clauses {
                switch clause {
                case .terms(let terms):
                    clauseUnits.append(terms.map { term in
                        let bytes = Array(term.utf8)
                        if let index = exact.firstIndex(of: bytes) { return UInt64(1) << UInt64(index) }
                        exact.append(bytes)
                        return UInt64(1) << UInt64(exact.count - 1)
                    })
                case .prefix(let prefix):
                    prefixes.append(Array(prefix.utf8))
                    clauseUnits.append([])
                }
            }
            guard exact.count + prefixes.count <= 64 else { return nil }
            // Prefix bits follow the exact terms' bits.
            var prefixIndex = 0
            for (index, clause) in clauses.enumerated() {
                if case .prefix = clause {
                    clauseUnits[index] = [UInt64(1) << UInt64(exact.count + prefixIndex)]
                    prefixIndex += 1
                }
            }
            singleUnits = clauseUnits.allSatisfy { $0.count == 1 } ? clauseUnits.map { $0[0] } : nil
            for term in exact + prefixes {
                if let first = term.first {
                    startsSomeTerm[Int(first)] = true
                } else {
                    startsSomeTerm = [Bool](repeating: true, count: 256)
                }
            }
        }

        func mark(_ token: UnsafeBufferPointer<UInt8>) -> UInt64 {
            var mark: UInt64 = 0
            for (index, term) in exact.enumerated() where term.count == token.count && term.elementsEqual(token) {
                mark |= UInt64(1) << UInt64(index)
                break
            }
            for (index, prefix) in prefixes.enumerated() where prefix.count <= token.count
                && prefix.elementsEqual(UnsafeBufferPointer(rebasing: token[0..<prefix.count])) {
                mark |= UInt64(1) << UInt64(exact.count + index)
            }
            return mark
        }

        static func occurrences(of units: [UInt64], in marks: [UInt64]) -> Int {
            guard let first = units.first, marks.count >= units.count else { return 0 }
            var count = 0
            for start in 0...(marks.count - units.count) where marks[start] & first != 0 {
                var matches = true
                for offset in 1..<units.count where marks[start + offset] & units[offset] == 0 {
                    matches = false
                    break
                }
                if matches { count += 1 }
            }
            return count
        }
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
