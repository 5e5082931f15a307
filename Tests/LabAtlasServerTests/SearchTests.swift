import Fluent
import Foundation
import SQLKit
import Testing
import Vapor
@testable import LabAtlasCore
@testable import LabAtlasServer

private struct SearchJSON: Decodable {
    struct Result: Decodable { var type: String; var slug: String; var title: String; var snippet: String }
    var total: Int
    var results: [Result]
    var facets: [String: [String: Int]]
    var suggestion: String?
    var next_page: Int?
}

private func encoded(_ text: String) -> String {
    text.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? text
}

extension Application {
    fileprivate func search(_ query: String, _ extra: String = "") async throws -> SearchJSON {
        let response = try await get("/api/v1/search?q=\(encoded(query))\(extra)")
        #expect(response.status == .ok, "search \(query) answered \(response.status): \(response.body.prefix(300))")
        return try JSONDecoder().decode(SearchJSON.self, from: Data(response.body.utf8))
    }
}

@Suite struct SearchTests {
    static let hostileQueries: [String] = [
        "NEAR(", "NEAR(atelier usagers, 2)", "\"unbalanced quote", "\"", "\"\"", "*", "**", "-", "--", "- -",
        "AND OR NOT", "atelier AND", "OR", "NOT usagers", "usagers NOT", "title:atelier", "{terms_title}: atelier", "terms_body : x",
        "^atelier", "atelier:", "'; DROP TABLE labs; --", "%", "_", "(", ")", "((atelier", "\\", "é*", "-mobilité", "a*b", "*mob",
        "mob**", "🙂", "l'", "de la", "le la les", "\u{0}\u{1}\u{7}contrôle", "\u{202E}atelier", "atelier\u{0}usagers",
        String(repeating: "mobilité ", count: 230), String(repeating: "x", count: 2_000), String(repeating: "\"a ", count: 300),
        "'", "’", "atelier' OR '1'='1", "x NEAR/3 y", "+atelier", "atelier~2", "[atelier]", "<script>alert(1)</script>",
        "&amp;", "ça", "œuvre", "l’école", "jusqu'à", "3D", "2024", "e-administration", "-atelier -usagers",
    ]

    @Test(arguments: hostileQueries)
    func hostileQueriesAnswer200(_ query: String) async throws {
        try await withDemoApp { app in
            let page = try await app.get("/search?q=\(encoded(query))")
            #expect(page.status == .ok, "/search with \(query.prefix(40)) answered \(page.status)")
            #expect(page.body.contains("<h1>"))
            #expect(!page.body.contains("<script>alert"), "the query is echoed escaped")
            let api = try await app.get("/api/v1/search?q=\(encoded(query))")
            let expected: HTTPStatus = query.trimmingCharacters(in: .whitespaces).isEmpty ? .badRequest : .ok
            #expect(api.status == expected || api.status == .ok, "/api/v1/search with \(query.prefix(40)) answered \(api.status)")
            if api.status == .ok {
                #expect((try? JSONDecoder().decode(SearchJSON.self, from: Data(api.body.utf8))) != nil)
            }
        }
    }

    @Test func wordsTypedWithoutAccentsFindTheAccentedWords() async throws {
        try await withDemoApp { app in
            let accented = try await app.search("mobilités")
            let plain = try await app.search("mobilites")
            let singular = try await app.search("MOBILITÉ")
            #expect(accented.total > 0)
            #expect(plain.results.map(\.slug) == accented.results.map(\.slug))
            #expect(singular.results.map(\.slug) == accented.results.map(\.slug))
            #expect(plain.results.contains { $0.snippet.contains("<mark>") || $0.title.lowercased().contains("mobilit") })
        }
    }

    @Test func badParametersAre400NamingThem() async throws {
        try await withDemoApp { app in
            for (path, name) in [("/search?q=atelier&type=nope", "type"), ("/search?q=atelier&theme=numerique", "theme"),
                                 ("/search?q=atelier&page=0", "page"), ("/api/v1/search?q=atelier&limit=1000", "limit"),
                                 ("/api/v1/search?q=", "q"), ("/api/v1/search", "q"),
                                 ("/search?q=atelier&type=projects&stage=finie", "stage")] {
                let response = try await app.get(path)
                #expect(response.status == .badRequest, "\(path) answered \(response.status)")
                #expect(response.body.contains("« \(name) »"), "\(path) does not name \(name)")
            }
            let empty = try await app.get("/search")
            #expect(empty.status == .ok)
            #expect(empty.body.contains("Rechercher dans l&#39;atlas"))
        }
    }

    @Test func countsPerTypeAndFacetAgreeWithFilteredSearches() async throws {
        try await withDemoApp { app in
            let all = try await app.search("atelier")
            let perType = try #require(all.facets["type"])
            #expect(perType.values.reduce(0, +) == all.total)
            for (type, count) in perType {
                let typed = try await app.search("atelier", "&type=\(type)")
                #expect(typed.total == count, "type \(type)")
                for (facet, values) in typed.facets where facet != "type" {
                    for (value, count) in values.prefix(3) {
                        let filtered = try await app.search("atelier", "&type=\(type)&\(facet)=\(encoded(value))")
                        #expect(filtered.total == count, "\(type) \(facet)=\(value)")
                    }
                }
            }
        }
    }

    @Test func pagesAreDisjointAndOrdered() async throws {
        try await withDemoApp { app in
            let first = try await app.search("lab", "&limit=5")
            let second = try await app.search("lab", "&limit=5&page=2")
            #expect(first.total > 10)
            #expect(first.next_page == 2)
            #expect(Set(first.results.map(\.slug)).isDisjoint(with: second.results.map(\.slug)))
            let all = try await app.search("lab", "&limit=10")
            #expect(all.results.map(\.slug) == first.results.map(\.slug) + second.results.map(\.slug))
        }
    }

    /// With more matches than candidates, the ranked candidates come first, then
    /// the newest of the rest: paging through gives every match exactly once.
    @Test func pagingPastTheRankedCandidatesGivesEveryMatchOnce() async throws {
        try await withDemoApp { app in
            var service = SearchService(database: app.db, reader: .anonymous)
            service.candidateLimit = 12
            service.titleCandidateLimit = 6
            let query = SearchQuery.parse("lab")
            var seen: [String] = []
            var total = 0
            for page in 0..<20 {
                let results = try await service.search(SearchRequest(query: query, type: nil, offset: page * 7, limit: 7))
                total = results.total
                seen += results.hits.map(\.slug)
                if results.hits.count < 7 { break }
            }
            #expect(total > 30)
            #expect(seen.count == total)
            #expect(Set(seen).count == total)
            // The first page ranks the candidates, title matches among them.
            let first = try await service.search(SearchRequest(query: query, type: nil, offset: 0, limit: 3))
            let exact = try await SearchService(database: app.db, reader: .anonymous).search(SearchRequest(query: query, type: nil, offset: 0, limit: 3))
            #expect(first.total == exact.total)
            #expect(first.hits.allSatisfy { FrenchAnalyzer.terms($0.title).contains(FrenchAnalyzer.term("lab")!) })
        }
    }

    @Test func phrasesExclusionsAndPrefixes() async throws {
        try await withApp { app in
            let writer = ItemWriter(database: app.db)
            for (title, summary) in [("Design des services numériques", "Un atelier avec les usagers."),
                                     ("Services de design", "Le numérique au service des usagers."),
                                     ("Visières solidaires", "Fabrication de visières pendant la crise.")] {
                var dto = ProjectDTO(title: title)
                dto.stage = .exploration
                dto.summary = summary
                try await writer.save(ProjectKind.self, dto)
            }
            #expect(try await app.search("\"design des services\"").results.map(\.title) == ["Design des services numériques"])
            #expect(try await app.search("design services").total == 2)
            #expect(try await app.search("design -atelier").results.map(\.title) == ["Services de design"])
            #expect(try await app.search("visieres").results.map(\.title) == ["Visières solidaires"])
            #expect(try await app.search("visi*").total == 1)
            #expect(try await app.search("numériq*").total == 2)
            // A whole word typed as a prefix runs past its stem and is shortened against the index.
            #expect(try await app.search("numériques*").total == 2)
            #expect(try await app.search("fabrication*").total == 1)
            // A title match ranks above a body match.
            #expect(try await app.search("numérique").results.first?.title == "Design des services numériques")
            let highlighted = try await app.search("visieres")
            #expect(highlighted.results.first?.snippet.contains("<mark>visières</mark>") == true)
        }
    }

    @Test func theIndexFollowsEverySaveAndReindexRebuildsIt() async throws {
        try await withApp { app in
            let writer = ItemWriter(database: app.db)
            var dto = ExperienceDTO(title: "Cartographie des aidants")
            dto.description = "Une enquête auprès des aidants familiaux."
            let saved = try await writer.save(ExperienceKind.self, dto)
            #expect(try await app.search("aidant").total == 1)

            dto.title = "Parcours des proches"
            dto.description = "Une enquête auprès des proches."
            try await writer.save(ExperienceKind.self, dto, existing: saved)
            #expect(try await app.search("aidants").total == 0)
            #expect(try await app.search("proches").total == 1)

            try await writer.delete(ExperienceKind.self, saved, context: .system)
            #expect(try await app.search("proches").total == 0)
            let deleted = try #require(try await Experience.query(on: app.db).withDeleted().first())
            try await writer.undelete(ExperienceKind.self, deleted, context: .system)
            #expect(try await app.search("proches").total == 1)

            let before = try await app.search("enquete")
            let count = try await app.db.transaction { try await SearchIndexer(database: $0).rebuildAll() }
            #expect(count == 1)
            #expect(try await app.search("enquete").results.map(\.slug) == before.results.map(\.slug))
        }
    }

    @Test func aFailedSaveLeavesTheIndexUnchanged() async throws {
        try await withApp { app in
            let writer = ItemWriter(database: app.db)
            var dto = ProjectDTO(title: "Simulateur de droits")
            dto.stage = .exploration
            let saved = try await writer.save(ProjectKind.self, dto)
            dto.title = "Titre remplacé"
            await #expect(throws: EditConflict.self) {
                try await writer.save(ProjectKind.self, dto, existing: saved, context: SaveContext(baseRevision: 0))
            }
            #expect(try await app.search("simulateur").total == 1)
            #expect(try await app.search("remplacé").total == 0)
        }
    }

    @Test func aMisspeltWordGetsASuggestion() async throws {
        try await withDemoApp { app in
            let result = try await app.search("mobilté")
            #expect(result.total == 0)
            let suggestion = try #require(result.suggestion)
            #expect(try await app.search(suggestion).total > 0)
            #expect(TextFolding.fold(suggestion).hasPrefix("mobil"))
            let page = try await app.get("/search?q=mobilt%C3%A9")
            #expect(page.body.contains("Vouliez-vous dire"))
            let nothing = try await app.get("/search?q=zzzzqqqq")
            #expect(nothing.body.contains("Aucun résultat"))
        }
    }

    @Test func detailPagesShowSimilarItems() async throws {
        try await withDemoApp { app in
            let projects = try await app.allItems("projects")
            var shown = 0
            for project in projects.prefix(8) {
                let slug = try #require(project["slug"] as? String)
                let page = try await app.get("/projects/\(slug)")
                if page.body.contains("Éléments similaires") { shown += 1 }
            }
            #expect(shown >= 6, "similar items on \(shown) of 8 project pages")
        }
    }

    /// Four projects: three about third places and fablabs, neighbours of one another, and one about a canteen.
    static let tiersLieux: [(title: String, summary: String)] = [
        ("Cartographie des tiers-lieux ruraux", "Un inventaire participatif des tiers-lieux et des fablabs."),
        ("Tiers-lieux de montagne", "Cartographie des fablabs et tiers-lieux en vallée."),
        ("Fablabs et tiers-lieux solidaires", "Une cartographie des lieux de fabrication."),
        ("Cantine zéro déchet", "Moins de gaspillage alimentaire au collège."),
    ]

    /// Projects at the exploration stage, with these titles and summaries, in order.
    static func projects(_ texts: [(title: String, summary: String)], _ writer: ItemWriter) async throws -> [Project] {
        var saved: [Project] = []
        for (title, summary) in texts {
            var dto = ProjectDTO(title: title)
            dto.stage = .exploration
            dto.summary = summary
            saved.append(try await writer.save(ProjectKind.self, dto))
        }
        return saved
    }

    /// Visitors' similar items are ranked once and kept; what a page shows is
    /// still read afresh, so a neighbour made members-only leaves it at once,
    /// and saving the item drops its kept list.
    @Test func keptSimilarItemsFollowSavesAndVisibility() async throws {
        try await withApp { app in
            // Views here must reach the similar items, not the pages kept for visitors.
            app.visitorPages = VisitorPageCache(capacity: 0)
            let writer = ItemWriter(database: app.db)
            let saved = try await Self.projects(Self.tiersLieux, writer)
            let page = try await app.get("/projects/\(saved[0].slug)")
            #expect(page.body.contains("Éléments similaires"))
            #expect(page.body.contains("Tiers-lieux de montagne"))
            func keptRows() async throws -> Int {
                try await app.db.sql.select().column("item_id").from(KeptSimilarItems.table).all().count
            }
            #expect(try await app.viewUntilKept("/projects/\(saved[0].slug)"))
            // Kept: the second view reads the list instead of ranking again.
            #expect(try await app.get("/projects/\(saved[0].slug)").body == page.body)

            // A neighbour made members-only. In an atlas this small any write makes
            // kept lists out of date; stamp them current, as in a large atlas.
            var hidden = ProjectKind.dto(of: saved[1], links: ResolvedLinks(), inverse: ResolvedLinks())
            hidden.visibility = .members
            try await writer.save(ProjectKind.self, hidden, existing: saved[1])
            try await app.db.sql.raw("UPDATE similar_items SET sequence = (SELECT next_sequence FROM search_stats WHERE id = 1)").run()
            let after = try await app.get("/projects/\(saved[0].slug)")
            #expect(!after.body.contains("Tiers-lieux de montagne"))
            #expect(after.body.contains("Fablabs et tiers-lieux solidaires"))

            // Saving the item drops its list, in the save's transaction.
            let own = ProjectKind.dto(of: saved[0], links: ResolvedLinks(), inverse: ResolvedLinks())
            try await writer.save(ProjectKind.self, own, existing: saved[0])
            #expect(try await keptRows() == 0)
        }
    }

    /// A kept list out of date is still shown, and ranked again after the
    /// page, once: the next view shows the new neighbour. Rendered, the page
    /// starts the ranking; kept for visitors (the second run), its stamp does.
    @Test(arguments: [0, 64 * 1024 * 1024])
    func similarItemsOutOfDateAreRankedAgainAfterThePage(pageCacheBytes: Int) async throws {
        try await withApp { app in
            app.visitorPages = VisitorPageCache(capacity: pageCacheBytes)
            let writer = ItemWriter(database: app.db)
            let saved = try await Self.projects([0, 1, 3].map { Self.tiersLieux[$0] }, writer)
            let path = "/projects/\(saved[0].slug)"
            #expect(try await app.viewUntilKept(path))
            #expect(await app.backgroundWrites.drained(within: .seconds(10)))
            // Kept for visitors with the kept list, when pages are kept.
            _ = try await app.get(path)
            let hits = app.visitorPages.statistics.hits
            func keptSequence() async throws -> Int64? {
                try await app.db.sql.select().column("sequence").from(KeptSimilarItems.table)
                    .where("item_id", .equal, SQLBind(try saved[0].requireID())).first()?.decode(column: "sequence", as: Int64.self)
            }
            let before = try await keptSequence()
            // In an atlas this small, any write puts the kept lists out of date.
            _ = try await Self.projects([Self.tiersLieux[2]], writer)
            let stale = try await app.get(path)
            #expect(stale.status == .ok)
            #expect(!stale.body.contains("Fablabs et tiers-lieux solidaires"), "the out-of-date list is shown at once")
            #expect(app.visitorPages.statistics.hits == hits + (pageCacheBytes > 0 ? 1 : 0))
            #expect(await app.backgroundWrites.drained(within: .seconds(10)))
            let after = try await keptSequence()
            #expect(before != nil && after != nil && after! > before!, "ranked again after the page")
            #expect(try await app.get(path).body.contains("Fablabs et tiers-lieux solidaires"))
        }
    }

    /// Keeping a visitor's similar items never waits for a save under way:
    /// the page answers at once, and the list is kept once the save is done,
    /// without another view.
    @Test func aVisitorsPageDoesNotWaitForSaves() async throws {
        try await withApp { app in
            app.visitorPages = VisitorPageCache(capacity: 0)
            let writer = ItemWriter(database: app.db)
            var saved: [Project] = []
            for title in ["Tiers-lieux et fablabs ruraux", "Fablabs et tiers-lieux de montagne", "Cantine zéro déchet"] {
                var dto = ProjectDTO(title: title)
                dto.stage = .exploration
                dto.summary = "Cartographie des tiers-lieux et des fablabs."
                saved.append(try await writer.save(ProjectKind.self, dto))
            }
            func keptRows() async throws -> Int {
                try await app.db.sql.select().column("item_id").from(KeptSimilarItems.table).all().count
            }
            // SQLite's writers queue in the process; PostgreSQL's behind an advisory lock, tried the same way.
            guard !app.db.isPostgres else { return }
            await WriterQueue.shared.acquire()
            let page = try await app.get("/projects/\(saved[0].slug)")
            let keptDuringTheSave = try await keptRows()
            await WriterQueue.shared.release()
            #expect(page.status == .ok)
            #expect(page.body.contains("Fablabs et tiers-lieux de montagne"))
            #expect(keptDuringTheSave == 0)
            #expect(await app.backgroundWrites.drained(within: .seconds(10)))
            #expect(try await keptRows() == 1)
        }
    }

    @Test func keptSimilarItemsLastWhileTheAtlasChangesLittle() throws {
        // The last two bytes of an item's id spread its lists' lifetimes: 0 and 99.
        let shortest = try #require(UUID(uuidString: "6F1C2A52-0000-4000-8000-000000000000"))
        let longest = try #require(UUID(uuidString: "6F1C2A52-0000-4000-8000-000000000063"))
        #expect(KeptSimilarItems.spread(of: shortest) == 0 && KeptSimilarItems.spread(of: longest) == 99)
        for item in [shortest, longest] {
            #expect(KeptSimilarItems.isCurrent(keptAt: 500, now: 500, documents: 40, item: item))
            #expect(!KeptSimilarItems.isCurrent(keptAt: 500, now: 501, documents: 40, item: item))
            #expect(!KeptSimilarItems.isCurrent(keptAt: 500, now: 499, documents: 100_000, item: item))
        }
        #expect(KeptSimilarItems.isCurrent(keptAt: 500, now: 1_500, documents: 100_000, item: shortest))
        #expect(!KeptSimilarItems.isCurrent(keptAt: 500, now: 1_501, documents: 100_000, item: shortest))
        #expect(KeptSimilarItems.isCurrent(keptAt: 500, now: 2_490, documents: 100_000, item: longest))
        #expect(!KeptSimilarItems.isCurrent(keptAt: 500, now: 2_491, documents: 100_000, item: longest))
    }

    /// Lists ranked at the same time do not all expire at the same write.
    @Test func keptSimilarItemsExpireSpreadOut() {
        let spreads = (0..<1_000).map { _ in KeptSimilarItems.spread(of: UUID()) }
        #expect(Set(spreads).count >= 90)
        let stillCurrent = (0..<1_000).filter { _ in
            KeptSimilarItems.isCurrent(keptAt: 0, now: 1_500, documents: 100_000, item: UUID())
        }.count
        // Half of them, give or take: a list lasts 1,000 to 1,990 writes here.
        #expect((350...650).contains(stillCurrent))
    }
}

/// One query, the same items in the same order on SQLite and PostgreSQL.
@Suite(.enabled(if: ProcessInfo.processInfo.environment["DATABASE_URL"] != nil, "needs DATABASE_URL"))
struct SearchEngineAgreementTests {
    static func load(_ storage: StorageSettings) async throws -> Application {
        let app = try await Application.make(.testing)
        app.logger.logLevel = .warning
        try await configure(app, storage: storage)
        try await app.autoMigrate()
        _ = try await DemoLoader(database: app.db).load()
        _ = try await SyntheticAtlasLoader(database: app.db, corpus: SyntheticCorpus(generalWords: []), seed: 11).load(count: 600)
        return app
    }

    @Test func sqliteAndPostgresReturnTheSameItemsInTheSameOrder() async throws {
        let sqlite = try await Self.load(StorageSettings(store: .sqliteMemory))
        let postgres = try await Self.load(testStorage())
        defer { Task { try? await sqlite.asyncShutdown(); try? await postgres.asyncShutdown() } }
        var queries = SearchQueryMix.make(count: 300, seed: 3, corpus: SyntheticCorpus(generalWords: []))
        queries += ["mobilité", "\"design des politiques\"", "atelier -usagers", "numéri*", "visieres", "lab innovation",
                    "transition écologique", "accompagnement agents", "e-administration", "l'école"].map { ($0, nil) }
        var compared = 0
        var filteredCompared = 0
        for (text, type) in queries {
            let request = SearchRequest(query: SearchQuery.parse(text), type: type, offset: 0, limit: 20)
            let a = try await SearchService(database: sqlite.db, reader: .anonymous).search(request)
            let b = try await SearchService(database: postgres.db, reader: .anonymous).search(request)
            // Small candidate sets take the bounded path on most queries: it must agree too.
            var smallA = SearchService(database: sqlite.db, reader: .anonymous)
            var smallB = SearchService(database: postgres.db, reader: .anonymous)
            (smallA.candidateLimit, smallA.titleCandidateLimit, smallB.candidateLimit, smallB.titleCandidateLimit) = (10, 5, 10, 5)
            #expect(try await smallA.search(request).hits.map(\.slug) == (try await smallB.search(request)).hits.map(\.slug),
                    "bounded order for \(text)")
            #expect(a.total == b.total, "total for \(text)")
            #expect(a.typeCounts == b.typeCounts, "type counts for \(text)")
            #expect(a.facetCounts == b.facetCounts, "facet counts for \(text)")
            // Filtered by its most common facet value, as a reader narrowing the results would.
            if let type, let (facet, values) = a.facetCounts.filter({ $0.key != "when" && !$0.value.isEmpty }).min(by: { $0.key < $1.key }),
               let value = values.max(by: { ($0.value, $1.key) < ($1.value, $0.key) })?.key {
                var filtered = request
                filtered.filters = [facet: value]
                let fa = try await SearchService(database: sqlite.db, reader: .anonymous).search(filtered)
                let fb = try await SearchService(database: postgres.db, reader: .anonymous).search(filtered)
                #expect(fa.total == values[value] && fb.total == fa.total, "\(type.rawValue) \(facet)=\(value) total for \(text)")
                #expect(fa.facetCounts == fb.facetCounts, "filtered facet counts for \(text)")
                #expect(fa.hits.map(\.slug) == fb.hits.map(\.slug), "filtered order for \(text)")
                filteredCompared += 1
            }
            compared += 1
            #expect(a.hits.map(\.slug) == b.hits.map(\.slug), "order for \(text)")
            var second = request
            second.offset = 20
            let a2 = try await SearchService(database: sqlite.db, reader: .anonymous).search(second)
            let b2 = try await SearchService(database: postgres.db, reader: .anonymous).search(second)
            #expect(a2.hits.map(\.slug) == b2.hits.map(\.slug), "page 2 order for \(text)")
        }
        #expect(compared == queries.count)
        #expect(filteredCompared > 5)
    }
}

extension Application {
    /// Views a page until its similar items are kept: keeping them is skipped
    /// while another write is under way, and the suites write in parallel.
    func viewUntilKept(_ path: String) async throws -> Bool {
        for _ in 0..<200 {
            _ = try await get(path)
            if try await db.sql.select().column("item_id").from(KeptSimilarItems.table).first() != nil { return true }
            try await Task.sleep(for: .milliseconds(10))
        }
        return false
    }
}
