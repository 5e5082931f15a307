import Testing
@testable import LabAtlasCore

@Suite struct SearchQueryTests {
    @Test func wordsPhrasesExclusionsAndPrefixes() {
        let query = SearchQuery.parse("Ateliers \"design des services\" -numérique mobil*")
        #expect(query.clauses.count == 4)
        #expect(query.clauses[0].kind == .terms([FrenchAnalyzer.term("ateliers")!]))
        #expect(query.clauses[1].kind == .terms(FrenchAnalyzer.terms("design des services")))
        #expect(query.clauses[2].excluded)
        #expect(query.clauses[3].kind == .prefix("mobil"))
        #expect(query.isRunnable)
    }

    /// A typed prefix is the start of a word, not a word to stem: "comit*" means
    /// comité, and its stem "com" would also match commune and commerce.
    @Test func aPrefixIsNotStemmed() {
        #expect(SearchQuery.parse("comit*").clauses.first?.kind == .prefix("comit"))
        #expect(SearchQuery.parse("Accue*").clauses.first?.kind == .prefix("accue"))
        #expect(SearchQuery.parse("collè*").clauses.first?.kind == .prefix("colle"))
    }

    @Test func engineSyntaxTypedByAReaderStaysLiteral() {
        for input in ["NEAR(a b)", "a AND b OR NOT c", "title:x", "{terms_title}: x", "\"unbalanced", "*", "a\"b", "x^2", "'; --"] {
            let query = SearchQuery.parse(input)
            guard let expression = query.fts5Expression() else { continue }
            // Every term is inside double quotes; only our own operators appear outside them.
            var outside = ""
            var inQuotes = false
            for character in expression {
                if character == "\"" { inQuotes.toggle(); continue }
                if !inQuotes { outside.append(character) }
            }
            let allowed = outside.replacingOccurrences(of: "AND", with: "").replacingOccurrences(of: "NOT", with: "")
                .replacingOccurrences(of: "OR", with: "")
            #expect(allowed.allSatisfy { " ()*".contains($0) }, "\(input) → \(expression)")
            #expect(!inQuotes, "\(input) → unbalanced \(expression)")
        }
    }

    @Test func onlyExclusionsOrOnlyStopWordsAreNotRunnable() {
        #expect(!SearchQuery.parse("-atelier").isRunnable)
        #expect(!SearchQuery.parse("le la les de").isRunnable)
        #expect(!SearchQuery.parse("").isRunnable)
        #expect(!SearchQuery.parse("* - \"").isRunnable)
    }

    @Test func inputIsBounded() {
        let query = SearchQuery.parse(String(repeating: "atelier usagers ", count: 500))
        #expect(query.clauses.count == SearchQuery.maxClauses)
        #expect(SearchQuery.sanitized("a\u{0}b\u{7}").unicodeScalars.allSatisfy { $0.value >= 32 })
    }

    @Test func tsqueryQuotesEveryLexeme() {
        let query = SearchQuery.parse("design -atelier \"l'école publique\" numér*")
        let tsquery = query.tsquery() ?? ""
        #expect(tsquery.contains("<->"))
        #expect(tsquery.contains(":*"))
        #expect(tsquery.contains("!'"))
        #expect(SearchQuery.quotedLexeme("it's") == "'it''s'")
    }

    @Test func textRoundTrips() {
        let query = SearchQuery.parse("atelier \"design public\" -test mobil*")
        #expect(SearchQuery.parse(query.text) == query)
    }
}

@Suite struct BM25Tests {
    @Test func scoringStoredColumnsAsBytesEqualsScoringTheirTokens() {
        let queries: [[SearchQuery.Kind]] = [
            [.terms(["atelier"])], [.terms(["design", "servic"]), .prefix("numer")], [.prefix("a"), .prefix("at"), .terms(["atelier"])],
            [.terms(["ecol", "ecol"])], [.terms(["日本"]), .terms(["cafe"])], [.terms(["absent"])],
        ]
        let columns = [
            ["atelier design servic", "numer atelier design servic atelier numeriqu ecol ecol ecol"],
            ["", "atelier"], ["日本 cafe", "cafe 日本 日本"], ["at atelier a", ""], ["  atelier  double  ", "x"],
        ]
        for clauses in queries {
            let scorer = BM25(clauses: clauses, documentFrequencies: clauses.map { _ in 7 }, rowCount: 100, tokenCount: 2_000)
            for pair in columns {
                #expect(scorer.score(storedColumns: pair) == scorer.score(columns: pair.map(BM25.tokens)), "\(clauses) on \(pair)")
            }
        }
    }

    @Test func scoringPackedDocumentsEqualsScoringTheirTokensOnRandomDocuments() {
        var generator = SplitMix64(seed: 11)
        let words = ["atelier", "at", "a", "design", "servic", "numer", "numeriqu", "ecol", "é", "日本", "cafe"]
        func document() -> [String] {
            (0..<2).map { _ in (0..<Int.random(in: 0...12, using: &generator)).map { _ in words.randomElement(using: &generator)! }.joined(separator: " ") }
        }
        for _ in 0..<200 {
            let clauses: [SearchQuery.Kind] = (0..<Int.random(in: 1...3, using: &generator)).map { _ in
                switch Int.random(in: 0...2, using: &generator) {
                case 0: .prefix(String(words.randomElement(using: &generator)!.prefix(2)))
                case 1: .terms([words.randomElement(using: &generator)!, words.randomElement(using: &generator)!])
                default: .terms([words.randomElement(using: &generator)!])
                }
            }
            let scorer = BM25(clauses: clauses, documentFrequencies: clauses.map { _ in 5 }, rowCount: 50, tokenCount: 400)
            let documents = (0..<5).map { _ in document() }
            let packed = documents.enumerated().map { "\($0.offset + 1)\t\($0.element[0])\t\($0.element[1])" }.joined(separator: "\n")
            let scores = scorer.scores(packed: packed)
            #expect(scores.map(\.document) == [1, 2, 3, 4, 5])
            for (index, columns) in documents.enumerated() {
                #expect(scores[index].score == scorer.score(columns: columns.map(BM25.tokens)), "\(clauses) on \(columns)")
            }
        }
    }

    @Test func rarerTermsAndTitlesWeighMore() {
        let clauses: [SearchQuery.Kind] = [.terms(["atelier"])]
        let scorer = BM25(clauses: clauses, documentFrequencies: [10], rowCount: 1_000, tokenCount: 100_000)
        let inTitle = scorer.score(columns: [["atelier"], ["x", "y"]])
        let inBody = scorer.score(columns: [["x"], ["atelier", "y"]])
        #expect(inTitle < inBody, "lower is better, as in FTS5")
        let rare = BM25(clauses: clauses, documentFrequencies: [2], rowCount: 1_000, tokenCount: 100_000)
        #expect(rare.score(columns: [["x"], ["atelier"]]) < inBody)
    }

    @Test func phrasesAndPrefixesCountTheirOccurrences() {
        #expect(BM25.occurrences(of: .terms(["design", "servic"]), in: BM25.tokens("design servic public design servic")) == 2)
        #expect(BM25.occurrences(of: .prefix("mob"), in: BM25.tokens("mobil mobilis auto mob")) == 3)
    }
}

@Suite struct SearchHighlighterTests {
    @Test func marksWordsMatchedThroughTheAnalyzer() {
        let highlighter = SearchHighlighter(query: SearchQuery.parse("mobilites"))
        #expect(highlighter.highlight("Les Mobilités <douces>") == "Les <mark>Mobilités</mark> &lt;douces&gt;")
    }

    @Test func snippetsCenterOnMatches() {
        let text = String(repeating: "Texte de remplissage sans rapport. ", count: 20) + "Ici les visières solidaires." + String(repeating: " Suite.", count: 40)
        let snippet = SearchHighlighter(query: SearchQuery.parse("visieres")).snippet(text, length: 120)
        #expect(snippet.contains("<mark>visières</mark>"))
        #expect(snippet.hasPrefix("… "))
        #expect(snippet.count < 200)
    }
}

@Suite struct EditDistanceTests {
    @Test func typos() {
        #expect(EditDistance.distance("mobilte", "mobilite") == 1)
        #expect(EditDistance.distance("aetlier", "atelier") == 1)
        #expect(EditDistance.distance("atelier", "atelier") == 0)
        #expect(EditDistance.distance("abc", "xyz") == 3)
        #expect(EditDistance.distance("court", "beaucouplonger", limit: 2) == 3)
    }
}

/// `mayMatch` decides whether a newly written document can leave a kept
/// search answer as it was: it may say yes too often, never no to a match.
@Suite struct SearchQueryMayMatchTests {
    static func terms(_ text: String) -> Set<Substring> {
        Set(FrenchAnalyzer.terms(text).map { Substring($0) })
    }

    @Test func everyIncludedClauseMustBeThere() {
        let document = Self.terms("Un atelier de design des services publics pour les aidants")
        #expect(SearchQuery.parse("ateliers aidants").mayMatch(documentTerms: document))
        #expect(!SearchQuery.parse("ateliers numérique").mayMatch(documentTerms: document))
        // A phrase is taken as its words, in any order: a yes that may be too many.
        #expect(SearchQuery.parse("\"services design\"").mayMatch(documentTerms: document))
        // Exclusions are ignored: also a yes that may be too many.
        #expect(SearchQuery.parse("atelier -aidants").mayMatch(documentTerms: document))
    }

    @Test func aPrefixCountsFromItsFirstFourLetters() {
        let document = Self.terms("La mobilité des agents")
        #expect(SearchQuery.parse("mobil*").mayMatch(documentTerms: document))
        // The index may shorten a prefix that matches nothing down to four letters.
        #expect(SearchQuery.parse("mobilx*").mayMatch(documentTerms: document))
        #expect(!SearchQuery.parse("numer*").mayMatch(documentTerms: document))
    }

    /// A document none of whose terms starts with one of `mayMatchWords`
    /// cannot match: the store sets it aside without reading its terms.
    @Test func theWordsASetAsideDocumentLacks() throws {
        let documents = ["Un atelier de design des services publics pour les aidants", "La mobilité des agents",
                         "Les aidants et le numérique", "Budget participatif", "Mobiliser les agents au guichet"]
        let queries = ["ateliers aidants", "mobil*", "\"services design\"", "atelier -aidants", "numérique mobilité",
                       "guichet mobilx*", "aidants"]
        for text in queries {
            for mode in [SearchQuery.Mode.all, .any] {
                var query = SearchQuery.parse(text)
                query.mode = mode
                let words = try #require(query.mayMatchWords, "\(text)")
                for document in documents.map(Self.terms) where query.mayMatch(documentTerms: document) {
                    #expect(words.contains { word in document.contains { $0.hasPrefix(word) } }, "\(text), \(mode)")
                }
            }
        }
        #expect(SearchQuery.parse("mobilité").mayMatchWords == ["mobil"])
        #expect(SearchQuery.parse("mobilx*").mayMatchWords == ["mobi"])
        // Nothing included: every document may match, none is set aside.
        #expect(SearchQuery.parse("-aidants").mayMatchWords == nil)
    }

    @Test func anyModeNeedsOneClause() {
        var query = SearchQuery.parse("mobilité numérique")
        query.mode = .any
        #expect(query.mayMatch(documentTerms: Self.terms("La mobilité")))
        #expect(!query.mayMatch(documentTerms: Self.terms("Les aidants")))
    }
}
