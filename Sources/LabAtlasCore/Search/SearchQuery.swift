import Foundation

/// What a reader typed in the search box, parsed into analyzed clauses.
///
/// The syntax is small on purpose: words are ANDed, `"a phrase"`, `-word`
/// excludes, `word*` matches a prefix. Everything else is literal text, so
/// nothing typed ever reaches FTS5 or PostgreSQL as syntax: each engine query
/// is written from these clauses with every term quoted.
public struct SearchQuery: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        /// One term, or several that must follow each other (a phrase, or a word
        /// the analyzer splits, like "centre-ville").
        case terms([String])
        /// A folded prefix, matched against the start of indexed terms.
        case prefix(String)
    }

    public struct Clause: Sendable, Equatable {
        public var kind: Kind
        public var excluded: Bool
        /// The words as the reader typed them, for suggestions and highlighting.
        public var words: [String]

        public init(kind: Kind, excluded: Bool, words: [String]) {
            self.kind = kind
            self.excluded = excluded
            self.words = words
        }
    }

    /// How clauses combine: the search box always ANDs; "similar items" ORs.
    public enum Mode: Sendable, Equatable { case all, any }

    public var clauses: [Clause]
    public var mode: Mode = .all
    /// The indexed terms a prefix stands for, when the index was asked and they
    /// are few: FTS5 then reads their posting lists side by side instead of
    /// merging them into a new list at every statement. Same matches either way.
    public var prefixExpansions: [String: [String]] = [:]
    /// Above this many terms a prefix stays a prefix for the engine.
    public static let maxPrefixExpansion = 32

    /// Longer input is cut: no sensible query needs more, and a bounded query
    /// keeps the engines' work bounded.
    public static let maxInputLength = 500
    public static let maxClauses = 16
    /// A prefix shorter than this would match most of the index.
    public static let minPrefixLength = 2

    public init(clauses: [Clause], mode: Mode = .all) {
        self.clauses = clauses
        self.mode = mode
    }

    public var included: [Clause] { clauses.filter { !$0.excluded } }

    /// The included clauses alone, ORed: the title tier of the candidates.
    public var anyIncluded: SearchQuery {
        var copy = SearchQuery(clauses: included, mode: .any)
        copy.prefixExpansions = prefixExpansions
        return copy
    }
    public var excludedClauses: [Clause] { clauses.filter(\.excluded) }
    /// A query the engines can run: at least one clause that must (or may) match.
    public var isRunnable: Bool { !included.isEmpty }

    /// Every term a matching document may show, for highlighting.
    public var highlightTerms: Set<String> {
        var terms = Set<String>()
        for clause in included { if case .terms(let list) = clause.kind { terms.formUnion(list) } }
        return terms
    }

    public var highlightPrefixes: [String] {
        included.compactMap { if case .prefix(let prefix) = $0.kind { prefix } else { nil } }
    }

    public static func parse(_ input: String) -> SearchQuery {
        var clauses: [Clause] = []
        for chunk in chunks(of: sanitized(input)) {
            guard clauses.count < maxClauses else { break }
            if let clause = clause(for: chunk) { clauses.append(clause) }
        }
        return SearchQuery(clauses: clauses)
    }

    /// Control characters become spaces; the length is bounded.
    public static func sanitized(_ input: String) -> String {
        var text = ""
        for scalar in input.unicodeScalars.prefix(maxInputLength) {
            if CharacterSet.controlCharacters.contains(scalar) || CharacterSet.illegalCharacters.contains(scalar) {
                text.unicodeScalars.append(" ")
            } else {
                text.unicodeScalars.append(scalar)
            }
        }
        return text
    }

    /// A piece of input before analysis: a quoted phrase or a bare word, maybe negated.
    struct Chunk: Equatable {
        var text: String
        var quoted: Bool
        var excluded: Bool
    }

    /// Splits on white space, keeping quoted phrases together. A quote without its
    /// pair is treated as a space, so `"abc` searches for abc.
    static func chunks(of text: String) -> [Chunk] {
        var chunks: [Chunk] = []
        let characters = Array(text)
        let quoteCharacters: Set<Character> = ["\"", "«", "»", "“", "”"]
        var index = 0
        while index < characters.count {
            let character = characters[index]
            if character.isWhitespace { index += 1; continue }
            var excluded = false
            var start = index
            if character == "-", index + 1 < characters.count, !characters[index + 1].isWhitespace {
                excluded = true
                start = index + 1
            }
            if quoteCharacters.contains(characters[start]),
               let close = characters[(start + 1)...].firstIndex(where: quoteCharacters.contains) {
                chunks.append(Chunk(text: String(characters[(start + 1)..<close]), quoted: true, excluded: excluded))
                index = close + 1
                continue
            }
            var end = start
            while end < characters.count, !characters[end].isWhitespace,
                  !(end > start && quoteCharacters.contains(characters[end])) {
                end += 1
            }
            let word = String(characters[start..<end]).filter { !quoteCharacters.contains($0) }
            chunks.append(Chunk(text: word, quoted: false, excluded: excluded))
            index = max(end, start + 1)
        }
        return chunks
    }

    static func clause(for chunk: Chunk) -> Clause? {
        if !chunk.quoted, chunk.text.hasSuffix("*") {
            let stem = String(chunk.text.drop(while: { $0 == "*" }).reversed().drop(while: { $0 == "*" }).reversed())
            let folded = TextFolding.fold(stem)
            if !folded.isEmpty, folded.unicodeScalars.allSatisfy(Self.isWordScalar), folded.count >= minPrefixLength {
                // What was typed is the start of a word, not a word: stemming it would
                // cut "comit*" down to "com*" (commune, commerce…). When a whole word
                // runs past its stem ("innovation*" against "innov"), the service
                // shortens the prefix against the index (`resolvingPrefixes`).
                return Clause(kind: .prefix(folded), excluded: chunk.excluded, words: [stem])
            }
        }
        let terms = FrenchAnalyzer.terms(chunk.text)
        guard !terms.isEmpty else { return nil }
        let words = FrenchAnalyzer.tokens(chunk.text).filter { $0.term != nil }.map { String(chunk.text[$0.range]) }
        return Clause(kind: .terms(terms), excluded: chunk.excluded, words: words)
    }

    static func isWordScalar(_ scalar: Unicode.Scalar) -> Bool {
        CharacterSet.alphanumerics.contains(scalar)
    }

    /// The same query with the clause at `index` searching `words` instead (a suggestion).
    public func replacing(clause index: Int, with terms: [String], words: [String]) -> SearchQuery {
        var copy = self
        copy.clauses[index] = Clause(kind: .terms(terms), excluded: clauses[index].excluded, words: words)
        return copy
    }

    /// The query as a reader would type it again.
    public var text: String {
        clauses.map { clause in
            let body: String
            switch clause.kind {
            case .prefix: body = (clause.words.first ?? "") + "*"
            case .terms: body = clause.words.count > 1 ? "\"" + clause.words.joined(separator: " ") + "\"" : (clause.words.first ?? "")
            }
            return (clause.excluded ? "-" : "") + body
        }.joined(separator: " ")
    }
}

// MARK: - Engine syntax

extension SearchQuery {
    /// An FTS5 MATCH expression; every term is quoted, so no operator typed by a
    /// reader (`NEAR(`, `AND`, `*`, `:`) reaches FTS5. `column` restricts the
    /// positive clauses to one column.
    public func fts5Expression(column: String? = nil) -> String? {
        guard isRunnable else { return nil }
        let positive = included.map { fts5Phrase($0.kind) }
        var expression = "(" + positive.joined(separator: mode == .all ? " AND " : " OR ") + ")"
        if let column { expression = "{\(column)} : " + expression }
        for clause in excludedClauses {
            expression = "(" + expression + ") NOT " + fts5Phrase(clause.kind)
        }
        return expression
    }

    func fts5Phrase(_ kind: Kind) -> String {
        switch kind {
        case .terms(let terms): Self.fts5Quoted(terms.joined(separator: " "))
        case .prefix(let prefix):
            if let terms = prefixExpansions[prefix], !terms.isEmpty, terms.count <= Self.maxPrefixExpansion {
                "(" + terms.map(Self.fts5Quoted).joined(separator: " OR ") + ")"
            } else {
                Self.fts5Quoted(prefix) + " *"
            }
        }
    }

    static func fts5Quoted(_ text: String) -> String {
        "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// A PostgreSQL `tsquery` literal; lexemes are quoted. `weight` ("A") keeps
    /// only matches in the title.
    public func tsquery(weight: String? = nil) -> String? {
        guard isRunnable else { return nil }
        let positive = included.map { Self.tsqueryPhrase($0.kind, weight: weight) }
        var expression = "(" + positive.joined(separator: mode == .all ? " & " : " | ") + ")"
        for clause in excludedClauses {
            expression += " & !" + Self.tsqueryPhrase(clause.kind, weight: nil)
        }
        return expression
    }

    /// The tsquery of one clause alone, for its document frequency.
    public static func tsqueryPhrase(_ kind: Kind, weight: String? = nil) -> String {
        let suffix = weight ?? ""
        switch kind {
        case .terms(let terms):
            let lexemes = terms.map { Self.quotedLexeme($0) + (suffix.isEmpty ? "" : ":" + suffix) }
            return lexemes.count == 1 ? lexemes[0] : "(" + lexemes.joined(separator: " <-> ") + ")"
        case .prefix(let prefix):
            return Self.quotedLexeme(prefix) + ":*" + suffix
        }
    }

    public static func quotedLexeme(_ term: String) -> String {
        "'" + term.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "''") + "'"
    }
}

extension SearchQuery {
    /// Words one of which starts an indexed term of every document that
    /// `mayMatch`: each included clause's first term, or its prefix's first
    /// four letters. Nil when any document may match (no included clause, or
    /// one without a term). A store can thus set aside, without reading their
    /// terms one by one, documents that cannot match; `mayMatch` decides for the rest.
    public var mayMatchWords: [String]? {
        var words: [String] = []
        for clause in included {
            switch clause.kind {
            case .terms(let terms):
                guard let first = terms.first, !first.isEmpty else { return nil }
                words.append(first)
            case .prefix(let prefix):
                guard !prefix.isEmpty else { return nil }
                words.append(String(prefix.prefix(4)))
            }
        }
        return words.isEmpty ? nil : Array(Set(words)).sorted()
    }

    /// Whether a document with these indexed terms could match: every included
    /// clause's terms are among them, in any order (phrases are not checked), and
    /// exclusions are ignored. Never false for a document the engines match, so
    /// a "no" proves a document leaves the answers as they were.
    ///
    /// A prefix counts from its first four letters: the index may shorten a
    /// prefix that matches no term down to that (`SearchService.resolvingPrefixes`).
    public func mayMatch(documentTerms terms: Set<Substring>) -> Bool {
        func holds(_ clause: Clause) -> Bool {
            switch clause.kind {
            case .terms(let words): return words.allSatisfy { terms.contains(Substring($0)) }
            case .prefix(let prefix):
                let start = prefix.prefix(4)
                return terms.contains { $0.hasPrefix(start) }
            }
        }
        switch mode {
        case .all: return included.allSatisfy(holds)
        case .any: return included.contains(where: holds)
        }
    }
}
