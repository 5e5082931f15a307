/// The Snowball French stemmer, so "mobilité", "mobilités" and "mobiles"
/// meet on one index term and a search for one finds the others.
///
/// `stem(_:)` is the published algorithm exactly (the version whose test
/// vocabulary is in the test fixtures: `ë` and `ï` are marked with `H` during
/// stemming, there is no elision step and no `-oux` rule); the tests hold it to
/// every pair of that vocabulary. `stemFolded(_:)` is the same algorithm for
/// words whose accents were already removed, which is how the search analyzer
/// calls it: a reader who types "mobilites" must find "mobilité", so both are
/// folded before stemming, and the suffixes that the exact algorithm recognises
/// by their accents ("-ité", "-ière", "-é", …) are also recognised without them.
///
/// Both run on an array of Unicode scalar values, never on `String` searching:
/// the index and its benchmark stem a hundred million words.
public enum FrenchStemmer {
    /// The stem of one lower-case word, by the Snowball algorithm.
    public static func stem(_ word: String) -> String {
        var scalars = scalars(of: word)
        stem(&scalars, rules: Rules.exact)
        return string(from: scalars)
    }

    /// The stem of one lower-case word written without accents (as
    /// `TextFolding.fold` leaves it). Close to `fold(stem(word))` of the accented word.
    public static func stemFolded(_ word: String) -> String {
        var scalars = scalars(of: word)
        stem(&scalars, rules: Rules.folded)
        return string(from: scalars)
    }

    static func scalars(of word: String) -> [Unicode.Scalar] {
        var scalars: [Unicode.Scalar] = []
        scalars.reserveCapacity(word.utf8.count + 2)
        for scalar in word.unicodeScalars { scalars.append(scalar) }
        return scalars
    }

    /// A string from scalars, encoded straight into the string's UTF-8 storage.
    static func string(from scalars: [Unicode.Scalar]) -> String {
        var length = 0
        for scalar in scalars { length += UTF8.width(scalar) }
        return String(unsafeUninitializedCapacity: length) { buffer in
            var index = 0
            for scalar in scalars {
                let value = scalar.value
                if value < 0x80 {
                    buffer[index] = UInt8(truncatingIfNeeded: value)
                    index += 1
                } else {
                    for byte in UTF8.encode(scalar)! {
                        buffer[index] = byte
                        index += 1
                    }
                }
            }
            return index
        }
    }

    /// Stems `word` in place.
    static func stem(_ word: inout [Unicode.Scalar], rules: Rules) {
        var stemmer = Stemmer(word: word, rules: rules)
        word = []
        stemmer.run()
        word = stemmer.s
    }
}

// MARK: - Rules

extension FrenchStemmer {
    /// What a suffix found in a table does; the names follow the algorithm's description.
    enum Action: UInt8, Sendable {
        // Step 1 (standard suffixes)
        case deleteInR2, ation, logie, usion, ence, ement, ite, ive, eaux, aux, euse, issement, amment, emment, ment
        // After "-ement"
        case ementIv, ementEus, ementAblIqu, ementIer
        // After "-ité"
        case iteAbil, iteIc, iteIv
        // Step 2a
        case iVerb
        // Step 2b
        case ions, verbDelete, verbA
        // Step 4 (residual suffixes)
        case residualIon, residualIer, residualE
        /// A suffix that is recognised (so no shorter one is) but changes nothing
        /// and does not count as removed.
        case keep
    }

    /// Suffixes by their last scalar, longest first, so the longest match is the first found.
    struct SuffixTable: Sendable {
        struct Entry: Sendable {
            let scalars: [Unicode.Scalar]
            let action: Action
        }

        let buckets: [[Entry]]

        init(_ rows: [(suffixes: [String], action: Action)]) {
            var buckets = [[Entry]](repeating: [], count: 256)
            for row in rows {
                for suffix in row.suffixes {
                    let scalars = Array(suffix.unicodeScalars)
                    precondition(!scalars.isEmpty && scalars.last!.value < 256)
                    let bucket = Int(scalars.last!.value)
                    precondition(!buckets[bucket].contains { $0.scalars == scalars }, "duplicate suffix \(suffix)")
                    buckets[bucket].append(Entry(scalars: scalars, action: row.action))
                }
            }
            self.buckets = buckets.map { $0.sorted { $0.scalars.count > $1.scalars.count } }
        }
    }

    /// One variant of the algorithm: its suffix tables, and for folded words
    /// the few guesses that stand in for the missing accents.
    final class Rules: Sendable {
        typealias Rows = [(suffixes: [String], action: Action)]

        let step1: SuffixTable
        let ement: SuffixTable
        let ite: SuffixTable
        let step2a: SuffixTable
        let step2b: SuffixTable
        let residual: SuffixTable
        /// Put back the "ï" of "-oïque", "-aïsme", "-oïste"… (as the `H` mark),
        /// which changes the regions and blocks step 2a as the diaeresis does.
        let restoresDiaeresis: Bool
        /// Words left as they are: the exact algorithm keeps them whole because of an
        /// accent ("accès", "déjà", "paraît") that their folded form no longer has.
        let invariants: [[Unicode.Scalar]]

        init(adding extra: [String: Rows] = [:], restoresDiaeresis: Bool = false, invariants: [String] = []) {
            step1 = SuffixTable(Self.step1Rows + extra["step1", default: []])
            ement = SuffixTable(Self.ementRows + extra["ement", default: []])
            ite = SuffixTable(Self.iteRows + extra["ite", default: []])
            step2a = SuffixTable(Self.step2aRows + extra["step2a", default: []])
            step2b = SuffixTable(Self.step2bRows + extra["step2b", default: []])
            residual = SuffixTable(Self.residualRows + extra["residual", default: []])
            self.restoresDiaeresis = restoresDiaeresis
            self.invariants = invariants.map { Array($0.unicodeScalars) }
        }

        static let exact = Rules()

        /// Each accented suffix is also matched in its folded form where that brings
        /// the result closer to the exact algorithm on accented words (measured on
        /// the test vocabulary), and `keep` guards stop a folded suffix from taking
        /// words that never had the accent ("-aite", "différent", "-ière").
        static let folded = Rules(
            adding: [
                "step1": [
                    (["ite", "ites"], .ite),
                    (["aite", "aites", "oite", "oites"], .keep),
                ],
                "ement": [(["ier", "Ier"], .ementIer)],
                "step2b": [
                    // "-é", "-ée", "-ées", "-és", "-èrent"; a plain final "e" or "es" is
                    // removed here too (so a "Y" before it becomes "i" as after "é"),
                    // which changes nothing else since step 4 would remove it.
                    (["e", "ee", "ees", "es", "erent"], .verbDelete),
                    (["iere", "Iere", "ieres", "Ieres", "fferent", "oherent"], .keep),
                ],
                "residual": [(["iere", "Iere"], .residualIer)],
            ],
            restoresDiaeresis: true,
            invariants: [
                "acces", "succes", "insucces", "proces", "progres", "congres", "exces", "deces", "abces",
                "apres", "aupres", "pres", "tres", "expres", "deja", "voila", "dela", "hola",
                "connait", "reconnait", "meconnait", "parait", "apparait", "disparait", "plait", "deplait",
                "nait", "renait",
            ]
        )

        // The tables of the published algorithm.

        static let step1Rows: Rows = [
            (["ance", "iqUe", "isme", "able", "iste", "eux", "ances", "iqUes", "ismes", "ables", "istes"], .deleteInR2),
            (["atrice", "ateur", "ation", "atrices", "ateurs", "ations"], .ation),
            (["logie", "logies"], .logie),
            (["usion", "ution", "usions", "utions"], .usion),
            (["ence", "ences"], .ence),
            (["ement", "ements"], .ement),
            (["ité", "ités"], .ite),
            (["if", "ive", "ifs", "ives"], .ive),
            (["eaux"], .eaux),
            (["aux"], .aux),
            (["euse", "euses"], .euse),
            (["issement", "issements"], .issement),
            (["amment"], .amment),
            (["emment"], .emment),
            (["ment", "ments"], .ment),
        ]

        static let ementRows: Rows = [
            (["iv"], .ementIv),
            (["eus"], .ementEus),
            (["abl", "iqU"], .ementAblIqu),
            (["ièr", "Ièr"], .ementIer),
        ]

        static let iteRows: Rows = [
            (["abil"], .iteAbil),
            (["ic"], .iteIc),
            (["iv"], .iteIv),
        ]

        static let step2aRows: Rows = [
            ([
                "îmes", "ît", "îtes", "i", "ie", "ies", "ir", "ira", "irai", "iraIent", "irais", "irait", "iras",
                "irent", "irez", "iriez", "irions", "irons", "iront", "is", "issaIent", "issais", "issait",
                "issant", "issante", "issantes", "issants", "isse", "issent", "isses", "issez", "issiez",
                "issions", "issons", "it",
            ], .iVerb),
        ]

        static let step2bRows: Rows = [
            (["ions"], .ions),
            ([
                "é", "ée", "ées", "és", "èrent", "er", "era", "erai", "eraIent", "erais", "erait", "eras",
                "erez", "eriez", "erions", "erons", "eront", "ez", "iez",
            ], .verbDelete),
            ([
                "âmes", "ât", "âtes", "a", "ai", "aIent", "ais", "ait", "ant", "ante", "antes", "ants", "as",
                "asse", "assent", "asses", "assiez", "assions",
            ], .verbA),
        ]

        static let residualRows: Rows = [
            (["ion"], .residualIon),
            (["ier", "ière", "Ier", "Ière"], .residualIer),
            (["e"], .residualE),
        ]
    }
}

// MARK: - The algorithm

extension FrenchStemmer {
    /// a e i o u y â à ë é ê è ï î ô û ù
    @inline(__always)
    static func isVowel(_ scalar: Unicode.Scalar) -> Bool {
        let ascii = scalar.value &- 0x61
        if ascii < 26 { return (0x0110_4111 as UInt32) >> ascii & 1 != 0 }
        let latin = scalar.value &- 0xE0
        if latin < 32 { return (0x0A10_CF05 as UInt32) >> latin & 1 != 0 }
        return false
    }

    /// a i o u è s: a final "s" after one of these stays.
    @inline(__always)
    static func keepsFinalS(_ scalar: Unicode.Scalar) -> Bool {
        scalar == "a" || scalar == "i" || scalar == "o" || scalar == "u" || scalar == "è" || scalar == "s"
    }

    struct Stemmer {
        var s: [Unicode.Scalar]
        let rules: Rules
        var pV = 0
        var p1 = 0
        var p2 = 0

        init(word: [Unicode.Scalar], rules: Rules) {
            self.s = word
            self.rules = rules
        }

        mutating func run() {
            if !rules.invariants.isEmpty, isInvariant() { return }
            if rules.restoresDiaeresis { restoreDiaeresis() }
            prelude()
            markRegions()
            if standardSuffix() || iVerbSuffix() || verbSuffix() {
                if let last = s.last {
                    if last == "Y" { s[s.count - 1] = "i" } else if last == "ç" { s[s.count - 1] = "c" }
                }
            } else {
                residualSuffix()
            }
            unDouble()
            unAccent()
            postlude()
        }

        @inline(__always)
        func vowel(at index: Int) -> Bool { index >= 0 && index < s.count && isVowel(s[index]) }

        func isInvariant() -> Bool {
            guard let last = s.last, last == "s" || last == "a" || last == "t" else { return false }
            for word in rules.invariants where word == s { return true }
            return false
        }

        static let diaeresisEndings: [[Unicode.Scalar]] = [
            "que", "ques", "quement", "quements", "sme", "smes", "ste", "stes", "cisme", "cismes", "cite", "cites",
        ].map { Array($0.unicodeScalars) }

        /// "a" or "o", then "i", then one of `diaeresisEndings`: "mosaique", "egoisme",
        /// "heroique", "stoicisme"; French writes these with "ï" and nothing else does.
        mutating func restoreDiaeresis() {
            for ending in Self.diaeresisEndings {
                let index = s.count - ending.count - 1
                guard index >= 2, s[index] == "i", s[index - 1] == "a" || s[index - 1] == "o",
                      s[(index + 1)...].elementsEqual(ending) else { continue }
                s.insert("H", at: index)
                return
            }
        }

        /// `u` or `i` between vowels, `y` next to a vowel and `u` after `q` are consonants;
        /// `ë` and `ï` become `He` and `Hi`.
        mutating func prelude() {
            var index = 0
            while index < s.count {
                let current = s[index]
                if isVowel(current), index + 1 < s.count {
                    let next = s[index + 1]
                    if next == "u", vowel(at: index + 2) { s[index + 1] = "U"; continue }
                    if next == "i", vowel(at: index + 2) { s[index + 1] = "I"; continue }
                    if next == "y" { s[index + 1] = "Y"; continue }
                }
                if current == "ë" {
                    s[index] = "H"
                    s.insert("e", at: index + 1)
                    continue
                }
                if current == "ï" {
                    s[index] = "H"
                    s.insert("i", at: index + 1)
                    continue
                }
                if current == "y", vowel(at: index + 1) { s[index] = "Y"; continue }
                if current == "q", index + 1 < s.count, s[index + 1] == "u" { s[index + 1] = "U"; continue }
                index += 1
            }
        }

        mutating func markRegions() {
            let count = s.count
            pV = count
            p1 = count
            p2 = count
            if count >= 3, isVowel(s[0]), isVowel(s[1]) {
                pV = 3
            } else if count >= 3, hasPrefix("p", "a", "r") || hasPrefix("c", "o", "l") || hasPrefix("t", "a", "p") {
                pV = 3
            } else {
                var index = 1
                while index < count, !isVowel(s[index]) { index += 1 }
                if index < count { pV = index + 1 }
            }
            var index = 0
            while index < count, !isVowel(s[index]) { index += 1 }
            while index < count, isVowel(s[index]) { index += 1 }
            guard index < count else { return }
            p1 = index + 1
            index += 1
            while index < count, !isVowel(s[index]) { index += 1 }
            while index < count, isVowel(s[index]) { index += 1 }
            guard index < count else { return }
            p2 = index + 1
        }

        @inline(__always)
        func hasPrefix(_ first: Unicode.Scalar, _ second: Unicode.Scalar, _ third: Unicode.Scalar) -> Bool {
            s[0] == first && s[1] == second && s[2] == third
        }

        mutating func postlude() {
            var hasMarks = false
            for scalar in s where scalar == "H" || scalar == "I" || scalar == "U" || scalar == "Y" {
                hasMarks = true
                break
            }
            guard hasMarks else { return }
            var output: [Unicode.Scalar] = []
            output.reserveCapacity(s.count)
            var index = 0
            while index < s.count {
                let scalar = s[index]
                switch scalar {
                case "I": output.append("i")
                case "U": output.append("u")
                case "Y": output.append("y")
                case "H":
                    // A folded word keeps its folded letters.
                    if rules.restoresDiaeresis { break }
                    if index + 1 < s.count, s[index + 1] == "e" {
                        output.append("ë")
                        index += 1
                    } else if index + 1 < s.count, s[index + 1] == "i" {
                        output.append("ï")
                        index += 1
                    }
                default: output.append(scalar)
                }
                index += 1
            }
            s = output
        }

        // MARK: Suffixes (backward mode: everything happens at the end of the word)

        /// The longest suffix of the table that starts at or after `limit`.
        @inline(__always)
        func find(_ table: SuffixTable, limit: Int = 0) -> (start: Int, action: Action)? {
            let count = s.count
            guard count > limit, let last = s.last, last.value < 256 else { return nil }
            for entry in table.buckets[Int(last.value)] {
                let length = entry.scalars.count
                let start = count - length
                // A guard is recognised wherever it starts: it only stops shorter suffixes.
                if start < limit, entry.action != .keep || start < 0 { continue }
                var matches = true
                var offset = length - 2
                while offset >= 0 {
                    if s[start + offset] != entry.scalars[offset] { matches = false; break }
                    offset -= 1
                }
                if matches { return (start, entry.action) }
            }
            return nil
        }

        @inline(__always)
        func ends(with first: Unicode.Scalar, _ second: Unicode.Scalar) -> Bool {
            s.count >= 2 && s[s.count - 2] == first && s[s.count - 1] == second
        }

        @inline(__always)
        mutating func cut(at index: Int) {
            s.removeSubrange(index...)
        }

        @inline(__always)
        mutating func replace(from index: Int, with scalars: Unicode.Scalar...) {
            s.removeSubrange(index...)
            s.append(contentsOf: scalars)
        }

        /// Step 1. False when nothing was removed, or for the "-ment" endings that
        /// still go on to the verb suffixes.
        mutating func standardSuffix() -> Bool {
            guard let (start, action) = find(rules.step1) else { return false }
            switch action {
            case .deleteInR2:
                guard start >= p2 else { return false }
                cut(at: start)
            case .ation:
                guard start >= p2 else { return false }
                cut(at: start)
                if ends(with: "i", "c") {
                    let ic = s.count - 2
                    if ic >= p2 { cut(at: ic) } else { replace(from: ic, with: "i", "q", "U") }
                }
            case .logie:
                guard start >= p2 else { return false }
                replace(from: start, with: "l", "o", "g")
            case .usion:
                guard start >= p2 else { return false }
                replace(from: start, with: "u")
            case .ence:
                guard start >= p2 else { return false }
                replace(from: start, with: "e", "n", "t")
            case .ement:
                guard start >= pV else { return false }
                cut(at: start)
                if let (before, rule) = find(rules.ement) {
                    switch rule {
                    case .ementIv:
                        if before >= p2 {
                            cut(at: before)
                            if ends(with: "a", "t"), s.count - 2 >= p2 { cut(at: s.count - 2) }
                        }
                    case .ementEus:
                        if before >= p2 { cut(at: before) } else if before >= p1 { replace(from: before, with: "e", "u", "x") }
                    case .ementAblIqu:
                        if before >= p2 { cut(at: before) }
                    case .ementIer:
                        if before >= pV { replace(from: before, with: "i") }
                    default: break
                    }
                }
            case .ite:
                guard start >= p2 else { return false }
                cut(at: start)
                if let (before, rule) = find(rules.ite) {
                    switch rule {
                    case .iteAbil:
                        if before >= p2 { cut(at: before) } else { replace(from: before, with: "a", "b", "l") }
                    case .iteIc:
                        if before >= p2 { cut(at: before) } else { replace(from: before, with: "i", "q", "U") }
                    case .iteIv:
                        if before >= p2 { cut(at: before) }
                    default: break
                    }
                }
            case .ive:
                guard start >= p2 else { return false }
                cut(at: start)
                if ends(with: "a", "t"), s.count - 2 >= p2 {
                    cut(at: s.count - 2)
                    if ends(with: "i", "c") {
                        let ic = s.count - 2
                        if ic >= p2 { cut(at: ic) } else { replace(from: ic, with: "i", "q", "U") }
                    }
                }
            case .eaux:
                replace(from: start, with: "e", "a", "u")
            case .aux:
                guard start >= p1 else { return false }
                replace(from: start, with: "a", "l")
            case .euse:
                if start >= p2 { cut(at: start) } else if start >= p1 { replace(from: start, with: "e", "u", "x") } else { return false }
            case .issement:
                guard start >= p1, start >= 1, !isVowel(s[start - 1]) else { return false }
                cut(at: start)
            case .amment:
                if start >= pV { replace(from: start, with: "a", "n", "t") }
                return false
            case .emment:
                if start >= pV { replace(from: start, with: "e", "n", "t") }
                return false
            case .ment:
                if start - 1 >= pV, isVowel(s[start - 1]) { cut(at: start) }
                return false
            default:
                return false
            }
            return true
        }

        /// Step 2a: verb endings beginning with "i", after a consonant, within RV.
        mutating func iVerbSuffix() -> Bool {
            guard let (start, _) = find(rules.step2a, limit: pV) else { return false }
            guard start - 1 >= pV, s[start - 1] != "H", !isVowel(s[start - 1]) else { return false }
            cut(at: start)
            return true
        }

        /// Step 2b: the other verb endings, within RV.
        mutating func verbSuffix() -> Bool {
            guard let (start, action) = find(rules.step2b, limit: pV) else { return false }
            switch action {
            case .ions:
                guard start >= p2 else { return false }
                cut(at: start)
            case .verbDelete:
                cut(at: start)
            case .verbA:
                cut(at: start)
                if let last = s.last, last == "e", s.count - 1 >= pV { cut(at: s.count - 1) }
            default:
                return false
            }
            return true
        }

        /// Step 4, when steps 1 and 2 removed nothing.
        mutating func residualSuffix() {
            let count = s.count
            if count >= 2, s[count - 1] == "s" {
                let before = s[count - 2]
                if (before == "i" && count >= 3 && s[count - 3] == "H") || !keepsFinalS(before) {
                    s.removeLast()
                }
            }
            guard let (start, action) = find(rules.residual, limit: pV) else { return }
            switch action {
            case .residualIon:
                if start >= p2, start - 1 >= pV, s[start - 1] == "s" || s[start - 1] == "t" { cut(at: start) }
            case .residualIer:
                replace(from: start, with: "i")
            case .residualE:
                cut(at: start)
            default:
                break
            }
        }

        /// Step 5: "-enn", "-onn", "-ett", "-ell", "-eill" lose their last letter.
        mutating func unDouble() {
            let count = s.count
            guard count >= 3 else { return }
            let last = s[count - 1], middle = s[count - 2], first = s[count - 3]
            guard last == middle else { return }
            if (last == "n" && (first == "e" || first == "o")) || (last == "t" && first == "e")
                || (last == "l" && (first == "e" || (first == "i" && count >= 4 && s[count - 4] == "e"))) {
                s.removeLast()
            }
        }

        /// Step 6: "é" or "è" before the final consonants becomes "e".
        mutating func unAccent() {
            var index = s.count - 1
            while index >= 0, !isVowel(s[index]) { index -= 1 }
            guard index >= 0, index < s.count - 1 else { return }
            if s[index] == "é" || s[index] == "è" { s[index] = "e" }
        }
    }
}
