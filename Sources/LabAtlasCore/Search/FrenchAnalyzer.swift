/// One word of a text as the search index sees it. The range lets the
/// highlighter mark the reader's own words ("Mobilités") for a query that
/// matched their analysed form ("mobilit").
public struct AnalyzedToken: Sendable, Equatable {
    /// Where the word is in the analysed text.
    public let range: Range<String.Index>
    /// The index term; nil for a stop word or an elided "l'", "qu'"…
    public let term: String?

    public init(range: Range<String.Index>, term: String?) {
        self.range = range
        self.term = term
    }
}

/// The one analysis shared by the index and the queries, so that whatever a
/// reader types meets the text whatever its spelling: "Mobilités", "mobilites"
/// and "MOBILITÉ" must give one term, in SQLite and in PostgreSQL alike.
///
/// Words are split on every character that is not a letter or a digit
/// (hyphens and apostrophes included), lower-cased and folded as
/// `TextFolding.fold` does, stripped of the elided "l'", "d'", "qu'"…, dropped
/// when they are French stop words, and stemmed by `FrenchStemmer.stemFolded`.
/// Folding comes before stemming because a reader who types without accents
/// has nothing else to give: the accented text must be reduced to the same
/// letters before the suffixes are taken off.
///
/// `terms` runs on every word of every document (a hundred million in the
/// benchmark), so it works on Unicode scalars with lookup tables and builds
/// one `String` per term, nothing else.
public enum FrenchAnalyzer {
    /// The index terms of `text`, in order, without stop words.
    public static func terms(_ text: String) -> [String] {
        var terms: [String] = []
        analyze(text) { _, term, _ in
            if let term { terms.append(term) }
        }
        return terms
    }

    /// Every word of `text` with its range, for highlighting; stop words and
    /// elided articles are there with a nil term.
    public static func tokens(_ text: String) -> [AnalyzedToken] {
        tokens(text, stemmingInitials: nil)
    }

    /// The tokens, stemming only the words whose folded first letter is one of
    /// `initials` (all when nil): the others get no term. Stemming keeps a
    /// word's first letter, so a highlighter looking for a few terms needs no
    /// other stem (stemming was most of the time of a page's snippets).
    public static func tokens(_ text: String, stemmingInitials initials: Set<Unicode.Scalar>?) -> [AnalyzedToken] {
        var tokens: [AnalyzedToken] = []
        analyze(text, stemmingInitials: initials) { range, term, _ in
            tokens.append(AnalyzedToken(range: range, term: term))
        }
        return tokens
    }

    /// The term of one word ("Mobilités" → "mobilit"), nil for a stop word or
    /// no word at all. Of a text of several words, the first one counts.
    public static func term(_ word: String) -> String? {
        var result: String?
        var found = false
        analyze(word) { _, term, elided in
            guard !found, !elided else { return }
            found = true
            result = term
        }
        return result
    }

    /// Whether `word` (in any case, with or without accents) is a French stop word.
    public static func isStopWord(_ word: String) -> Bool {
        var scalars: [Unicode.Scalar] = []
        if !fold(word.unicodeScalars[...], into: &scalars) {
            scalars = Array(TextFolding.fold(word).unicodeScalars)
        }
        return isStopWord(scalars)
    }

    // MARK: - Analysis

    /// Calls `body` with each word of `text`, its term and whether it is an
    /// elided article or pronoun, in order.
    static func analyze(_ text: String, stemmingInitials initials: Set<Unicode.Scalar>? = nil,
                        _ body: (Range<String.Index>, String?, Bool) -> Void) {
        let view = text.unicodeScalars
        let end = view.endIndex
        var word: [Unicode.Scalar] = []
        word.reserveCapacity(32)
        var index = view.startIndex
        while index < end {
            var scalar = view[index]
            guard kind(of: scalar) == .start else {
                index = view.index(after: index)
                continue
            }
            let start = index
            word.removeAll(keepingCapacity: true)
            var folded = true
            while true {
                if folded { folded = fold(scalar, into: &word) }
                index = view.index(after: index)
                if index == end { break }
                scalar = view[index]
                if kind(of: scalar) == .separator { break }
            }
            let range = start..<index
            if !folded {
                word.removeAll(keepingCapacity: true)
                word.append(contentsOf: TextFolding.fold(String(view[range])).unicodeScalars)
            } else if index < end, isApostrophe(scalar), isElision(word) {
                // "l'école": the article goes, the word after it is analysed on its own.
                let next = view.index(after: index)
                if next < end, kind(of: view[next]) == .start {
                    body(range, nil, true)
                    continue
                }
            }
            if word.isEmpty || isStopWord(word) || initials.map({ !$0.contains(word[0]) }) == true {
                body(range, nil, false)
                continue
            }
            FrenchStemmer.stem(&word, rules: FrenchStemmer.Rules.folded)
            body(range, FrenchStemmer.string(from: word), false)
        }
    }

    // MARK: - Characters

    enum Kind: UInt8 {
        /// Between words.
        case separator
        /// A letter or a digit: starts or continues a word.
        case start
        /// A combining mark or joiner: continues a word, never starts one.
        case extend
    }

    @inline(__always)
    static func kind(of scalar: Unicode.Scalar) -> Kind {
        let value = scalar.value
        if value < 0x80 {
            return value &- 0x61 < 26 || value &- 0x41 < 26 || value &- 0x30 < 10 ? .start : .separator
        }
        if value < tableSize { return tables.kinds[Int(value)] }
        return slowKind(of: scalar)
    }

    static func slowKind(of scalar: Unicode.Scalar) -> Kind {
        // "ʼ" is a letter for Unicode, but an apostrophe in "lʼécole".
        if isApostrophe(scalar) { return .separator }
        switch scalar.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter,
             .decimalNumber, .letterNumber, .otherNumber:
            return .start
        case .nonspacingMark, .spacingMark, .enclosingMark:
            return .extend
        default:
            return scalar.properties.isGraphemeExtend || scalar.value == 0x200D ? .extend : .separator
        }
    }

    @inline(__always)
    static func isApostrophe(_ scalar: Unicode.Scalar) -> Bool {
        scalar == "'" || scalar == "\u{2019}" || scalar == "\u{02BC}" || scalar == "\u{2018}"
    }

    // MARK: - Folding

    /// Scalars below this fold through a table; others (rare in French text)
    /// through `TextFolding.fold` on the whole word.
    static let tableSize: UInt32 = 0x370

    struct Tables: Sendable {
        let kinds: [Kind]
        /// Up to three folded scalars of 21 bits, low first; `slow` when more.
        let folds: [UInt64]
        static let slow = UInt64.max
    }

    /// Built from `TextFolding.fold` itself, one scalar at a time, so the fast
    /// path cannot drift from it.
    static let tables: Tables = {
        var kinds: [Kind] = []
        var folds: [UInt64] = []
        for value in 0..<tableSize {
            guard let scalar = Unicode.Scalar(value) else {
                kinds.append(.separator)
                folds.append(Tables.slow)
                continue
            }
            kinds.append(value < 0x80 ? kind(of: scalar) : slowKind(of: scalar))
            let folded = Array(TextFolding.fold(String(scalar)).unicodeScalars)
            if folded.count > 3 {
                folds.append(Tables.slow)
            } else {
                var packed: UInt64 = 0
                for (position, part) in folded.enumerated() { packed |= UInt64(part.value) << (21 * UInt64(position)) }
                folds.append(packed)
            }
        }
        return Tables(kinds: kinds, folds: folds)
    }()

    /// Appends the folded form of `scalar`; false when it needs `TextFolding.fold`.
    @inline(__always)
    static func fold(_ scalar: Unicode.Scalar, into word: inout [Unicode.Scalar]) -> Bool {
        let value = scalar.value
        if value < 0x80 {
            word.append(value &- 0x41 < 26 ? Unicode.Scalar(UInt8(truncatingIfNeeded: value | 0x20)) : scalar)
            return true
        }
        guard value < tableSize else { return false }
        var packed = tables.folds[Int(value)]
        if packed == Tables.slow { return false }
        while packed != 0 {
            word.append(Unicode.Scalar(UInt32(truncatingIfNeeded: packed & 0x1F_FFFF))!)
            packed >>= 21
        }
        return true
    }

    static func fold(_ scalars: Substring.UnicodeScalarView, into word: inout [Unicode.Scalar]) -> Bool {
        for scalar in scalars where !fold(scalar, into: &word) { return false }
        return true
    }

    // MARK: - Stop words and elisions

    /// A folded word of up to eight ASCII letters as one integer, for set lookups
    /// that need no `String`; nil for any other word.
    @inline(__always)
    static func packed(_ word: [Unicode.Scalar]) -> UInt64? {
        guard word.count <= 8 else { return nil }
        var packed: UInt64 = 0
        for scalar in word {
            guard scalar.value < 0x80 else { return nil }
            packed = packed << 8 | UInt64(scalar.value)
        }
        return packed
    }

    static func packed(_ word: String) -> UInt64 {
        packed(Array(word.unicodeScalars))!
    }

    static func isStopWord(_ word: [Unicode.Scalar]) -> Bool {
        guard let packed = packed(word) else { return false }
        return stopWords.contains(packed)
    }

    static func isElision(_ word: [Unicode.Scalar]) -> Bool {
        guard let packed = packed(word) else { return false }
        return elisions.contains(packed)
    }

    /// The words left before an apostrophe by elision: "l'", "qu'", "jusqu'"…
    static let elisions: Set<UInt64> = Set(
        ["c", "d", "j", "l", "m", "n", "s", "t", "qu", "jusqu", "lorsqu", "puisqu", "quoiqu"].map(packed)
    )

    /// Snowball's French stop word list (articles, pronouns, prepositions, the
    /// forms of "être" and "avoir"), with a few more common words, folded: a
    /// reader who types "a" means "à".
    static let stopWordList: [String] = [
        "au", "aux", "avec", "ce", "ces", "dans", "de", "des", "du", "elle", "en", "et", "eux", "il", "ils",
        "je", "la", "le", "les", "leur", "lui", "ma", "mais", "me", "même", "mes", "moi", "mon", "ne", "nos",
        "notre", "nous", "on", "ou", "où", "par", "pas", "pour", "qu", "que", "qui", "sa", "se", "ses", "son",
        "sur", "ta", "te", "tes", "toi", "ton", "tu", "un", "une", "vos", "votre", "vous",
        "c", "d", "j", "l", "à", "m", "n", "s", "t", "y",
        "été", "étée", "étées", "étés", "étant", "étante", "étants", "étantes", "suis", "es", "est", "sommes",
        "êtes", "sont", "serai", "seras", "sera", "serons", "serez", "seront", "serais", "serait", "serions",
        "seriez", "seraient", "étais", "était", "étions", "étiez", "étaient", "fus", "fut", "fûmes", "fûtes",
        "furent", "sois", "soit", "soyons", "soyez", "soient", "fusse", "fusses", "fût", "fussions", "fussiez",
        "fussent",
        "ayant", "ayante", "ayantes", "ayants", "eu", "eue", "eues", "eus", "ai", "as", "avons", "avez", "ont",
        "aurai", "auras", "aura", "aurons", "aurez", "auront", "aurais", "aurait", "aurions", "auriez",
        "auraient", "avais", "avait", "avions", "aviez", "avaient", "eut", "eûmes", "eûtes", "eurent", "aie",
        "aies", "ait", "ayons", "ayez", "aient", "eusse", "eusses", "eût", "eussions", "eussiez", "eussent",
        "ceci", "cela", "celà", "cet", "cette", "ici", "leurs", "quel", "quels", "quelle", "quelles", "sans", "soi",
        // Beyond Snowball's list.
        "a", "ça", "dont", "quoi", "elles", "entre", "sous", "plus", "être", "avoir",
    ]

    static let stopWords: Set<UInt64> = Set(stopWordList.map { packed(TextFolding.fold($0)) })
}
