import Foundation
import Testing
import Vapor
import Fluent
import SQLKit
import Logging
import Synchronization
@testable import LabAtlasServer
import LabAtlasCore

/// Pages kept for visitors (`VisitorPageCache`) are served again only while
/// the types they show are unchanged: every write to a type's table, through
/// the application or not, changes its version (migration 008), and the next
/// visitor gets a page rendered afresh.
@Suite struct VisitorPageCacheTests {
    static func versions(_ app: Application) async throws -> [ContentVersions.Part: Int64] {
        try await ContentVersions.read(on: try app.db.sql)
    }

    /// The parts whose version changed between two reads.
    static func changed(_ before: [ContentVersions.Part: Int64], _ after: [ContentVersions.Part: Int64]) -> Set<ContentVersions.Part> {
        Set(after.keys.filter { after[$0] != before[$0] })
    }

    @Test func everyWriteChangesItsTypesVersionsAndNoOther() async throws {
        try await withApp { app in
            let sql = try app.db.sql
            let writer = ItemWriter(database: app.db)
            #expect(try await Self.versions(app).count == 2 * ItemType.allCases.count)
            let sessionsLab = try await writer.save(LabKind.self, LabDTO(name: "Lab des sessions"))
            var before = try await Self.versions(app)
            var labDTO = LabDTO(name: "Lab des versions")
            let lab = try await writer.save(LabKind.self, labDTO)
            var after = try await Self.versions(app)
            // A new item: its type's content; nothing other pages show of it yet.
            #expect(Self.changed(before, after) == [.content(.labs)])
            // What other pages show of a lab: its name, its region, its visibility.
            for change in ["name", "region", "visibility"] {
                before = after
                switch change {
                case "name": labDTO.name = "Lab des versions renommé"
                case "region": labDTO.region = "Bretagne"
                default: labDTO.visibility = .members
                }
                try await writer.save(LabKind.self, labDTO, existing: lab)
                after = try await Self.versions(app)
                #expect(Self.changed(before, after) == [.content(.labs), .references(.labs)], "the lab's \(change)")
            }
            // What only its own pages show.
            before = after
            labDTO.objectives = "Des objectifs"
            try await writer.save(LabKind.self, labDTO, existing: lab)
            after = try await Self.versions(app)
            #expect(Self.changed(before, after) == [.content(.labs)])
            // Statements written by hand, as another tool or instance would.
            for (statement, parts): (SQLQueryString, Set<ContentVersions.Part>) in [
                ("UPDATE labs SET team = 'Une équipe' WHERE id = \(bind: try lab.requireID())", [.content(.labs)]),
                ("UPDATE labs SET name = 'Lab renommé à la main' WHERE id = \(bind: try lab.requireID())", [.content(.labs), .references(.labs)]),
                ("DELETE FROM labs WHERE id = \(bind: try lab.requireID())", [.content(.labs), .references(.labs)]),
            ] {
                before = after
                try await sql.raw(statement).run()
                after = try await Self.versions(app)
                #expect(Self.changed(before, after) == parts)
            }
            before = after
            var session = SessionDTO(title: "Session des versions")
            session.date = CalendarDate("2026-05-04")
            session.lab = sessionsLab.slug
            try await writer.save(SessionKind.self, session)
            after = try await Self.versions(app)
            #expect(Self.changed(before, after) == [.content(.sessions)])
        }
    }

    /// A project of `lab` and a session of both, as saved.
    static func guichets(of lab: Lab, _ writer: ItemWriter) async throws
        -> (project: ProjectDTO, Project, session: SessionDTO, WorkSession) {
        var projectDTO = ProjectDTO(title: "Projet des guichets")
        projectDTO.labs = [lab.slug]
        projectDTO.stage = .exploration
        let project = try await writer.save(ProjectKind.self, projectDTO)
        var sessionDTO = SessionDTO(title: "Atelier des guichets")
        sessionDTO.lab = lab.slug
        sessionDTO.project = project.slug
        sessionDTO.date = CalendarDate("2026-03-02")
        return (projectDTO, project, sessionDTO, try await writer.save(SessionKind.self, sessionDTO))
    }

    @Test func keptPagesFollowWritesAndVisibility() async throws {
        try await withApp { app in
            let writer = ItemWriter(database: app.db)
            var labDTO = LabDTO(name: "Lab de la Loire")
            labDTO.region = "Pays de la Loire"
            let lab = try await writer.save(LabKind.self, labDTO)
            var (projectDTO, project, _, session) = try await Self.guichets(of: lab, writer)
            let paths = ["/labs", "/projects", "/sessions", "/labs/\(lab.slug)", "/projects/\(project.slug)", "/sessions/\(session.slug)",
                         "/api/v1/projects", "/api/v1/projects/\(project.slug)", "/sessions?region=Pays%20de%20la%20Loire"]

            // A second view is the kept page, byte for byte (after a first one
            // that ranked the similar items, and one that showed them kept; while
            // another suite's save holds the write lock, they are kept after it).
            var first: [String: String] = [:]
            for path in paths { _ = try await app.get(path) }
            #expect(await app.backgroundWrites.drained(within: .seconds(10)))
            for path in paths { first[path] = try await app.get(path).body }
            let hits = app.visitorPages.statistics.hits
            for path in paths {
                let again = try await app.get(path)
                #expect(again.status == .ok)
                #expect(again.body == first[path], "\(path) kept")
            }
            #expect(app.visitorPages.statistics.hits == hits + paths.count)

            // The lab renamed: every page that names it changes, its sessions' cards included.
            labDTO.name = "Lab de Nantes"
            try await writer.save(LabKind.self, labDTO, existing: lab)
            for path in ["/labs", "/sessions", "/projects", "/labs/\(lab.slug)", "/projects/\(project.slug)", "/sessions/\(session.slug)"] {
                let page = try await app.get(path).body
                #expect(page.contains("Lab de Nantes"), "\(path) names the lab anew")
                #expect(!page.contains("Lab de la Loire"), "\(path) no longer names the old lab")
            }

            // A new project: the project lists change, the session lists and the
            // other projects' JSON stay kept.
            let keptSessions = try await app.get("/api/v1/sessions").body
            #expect(keptSessions.contains(project.slug))
            let keptProject = try await app.get("/api/v1/projects/\(project.slug)").body
            var otherDTO = ProjectDTO(title: "Projet des bornes")
            otherDTO.stage = .exploration
            try await writer.save(ProjectKind.self, otherDTO)
            #expect(try await app.get("/projects").body.contains("Projet des bornes"))
            let hitsBefore = app.visitorPages.statistics.hits
            #expect(try await app.get("/api/v1/sessions").body == keptSessions)
            #expect(try await app.get("/sessions").status == .ok)
            #expect(try await app.get("/sessions/\(session.slug)").body.contains("Projet des guichets"))
            #expect(try await app.get("/api/v1/projects/\(project.slug)").body == keptProject)
            #expect(app.visitorPages.statistics.hits == hitsBefore + 4)

            // The project made members-only: gone from every visitor's page at once,
            // the sessions that point at it included.
            projectDTO.visibility = .members
            try await writer.save(ProjectKind.self, projectDTO, existing: project)
            for path in ["/projects", "/api/v1/projects", "/labs/\(lab.slug)"] {
                #expect(!(try await app.get(path).body.contains("Projet des guichets")), "\(path) hides the project")
            }
            #expect(!(try await app.get("/api/v1/sessions").body.contains(project.slug)))
            #expect(!(try await app.get("/sessions/\(session.slug)").body.contains("Projet des guichets")))
            #expect(try await app.get("/projects/\(project.slug)").status == .notFound)
            #expect(try await app.get("/api/v1/projects/\(project.slug)").status == .notFound)

            // Written outside the application, by another instance or by hand.
            try await app.db.sql.raw("UPDATE labs SET name = 'Lab écrit ailleurs' WHERE id = \(bind: try lab.requireID())").run()
            #expect(try await app.get("/labs").body.contains("Lab écrit ailleurs"))
        }
    }

    /// A type's lists and JSON show the items its items point at, and a
    /// network its labs: `shownWithIt` names every such type (read from the
    /// demo items, which fill every reference).
    @Test func aTypeIsShownWithEveryTypeItPointsAt() throws {
        func pointedAt<K: ItemKind>(_ kind: K.Type, file: String) throws -> Set<ItemType> {
            let url = try #require(Bundle.module.url(forResource: file, withExtension: "json", subdirectory: "Demo"))
            let items = try JSONDecoder().decode([K.DTO].self, from: Data(contentsOf: url))
            var types: Set<ItemType> = []
            for item in items { types.formUnion(K.references(of: item).map(\.target)) }
            return types
        }
        let pointed: [ItemType: Set<ItemType>] = [
            .labs: try pointedAt(LabKind.self, file: "labs"), .projects: try pointedAt(ProjectKind.self, file: "projects"),
            .experiences: try pointedAt(ExperienceKind.self, file: "experiences"), .sessions: try pointedAt(SessionKind.self, file: "sessions"),
            .events: try pointedAt(EventKind.self, file: "events"), .methods: try pointedAt(MethodKind.self, file: "methods"),
            .networks: try pointedAt(NetworkKind.self, file: "networks"),
        ]
        for type in ItemType.allCases {
            let shown = type.shownWithIt
            #expect(shown.contains(.content(type)))
            for target in try #require(pointed[type]) {
                #expect(shown.contains(.references(target)) || shown.contains(.content(target)), "\(type) points at \(target)")
            }
        }
        // Items that point at a type and appear in its JSON (a network's labs): any change to them counts.
        #expect(NetworkKind.inverseRelations.allSatisfy { ItemType.networks.shownWithIt.contains(.content($0.source)) })
        // Every relation of the atlas appears in the demo, so the check above is complete.
        #expect(pointed.values.reduce(0) { $0 + $1.count } == 8)
    }

    static func itemVersions(_ app: Application, _ items: [any AtlasModel]) async throws -> [Int64] {
        try await ItemVersions.versions(of: items.map { try $0.requiredID }, on: try app.db.sql)
    }

    /// The items whose versions changed between two reads, by name.
    static func changedItems(_ names: [String], _ before: [Int64], _ after: [Int64]) -> Set<String> {
        Set(zip(names, zip(before, after)).filter { $0.1.0 != $0.1.1 }.map(\.0))
    }

    /// An item's version changes with its row, its links, and the rows of the
    /// items that point at it (their cards are on its page); nothing else.
    @Test func itemVersionsFollowTheItemItsLinksAndWhatPointsAtIt() async throws {
        try await withApp { app in
            let writer = ItemWriter(database: app.db)
            let sql = try app.db.sql
            let loire = try await writer.save(LabKind.self, LabDTO(name: "Lab de la Loire"))
            let bretagne = try await writer.save(LabKind.self, LabDTO(name: "Lab de Bretagne"))
            var (projectDTO, project, sessionDTO, session) = try await Self.guichets(of: loire, writer)
            let items: [any AtlasModel] = [loire, bretagne, project, session]
            let names = ["loire", "bretagne", "project", "session"]
            var before = try await Self.itemVersions(app, items)
            #expect(!before.contains(0), "every written item has a version")

            func expectChange(_ expected: Set<String>, _ comment: Comment, _ write: () async throws -> Void) async throws {
                try await write()
                let after = try await Self.itemVersions(app, items)
                #expect(Self.changedItems(names, before, after) == expected, comment)
                before = after
            }
            try await expectChange(["bretagne"], "a new project of the other lab") {
                var other = ProjectDTO(title: "Projet des bornes")
                other.labs = [bretagne.slug]
                other.stage = .exploration
                try await writer.save(ProjectKind.self, other)
            }
            try await expectChange(["project", "loire"], "the project's text, shown on its lab's page") {
                projectDTO.summary = "Des guichets plus simples."
                try await writer.save(ProjectKind.self, projectDTO, existing: project)
            }
            try await expectChange(["session", "loire", "project"], "the session, shown on its lab's and its project's pages") {
                sessionDTO.outcome = "Un atelier fructueux."
                try await writer.save(SessionKind.self, sessionDTO, existing: session)
            }
            // A save writes its item's links anew: what they point at, before and after.
            try await expectChange(["session", "loire", "bretagne", "project"], "the session moved to the other lab") {
                sessionDTO.lab = bretagne.slug
                try await writer.save(SessionKind.self, sessionDTO, existing: session)
            }
            // Statements written by hand, as another tool or instance would.
            try await expectChange(["bretagne"], "a lab renamed by hand") {
                try await sql.raw("UPDATE labs SET name = 'Lab breton' WHERE id = \(bind: try bretagne.requireID())").run()
            }
            try await expectChange(["session", "project"], "a link removed by hand") {
                try await sql.raw("DELETE FROM item_links WHERE source_id = \(bind: try session.requireID()) AND relation = 'project'").run()
            }
            try await expectChange(["project", "loire"], "a project deleted by hand") {
                try await sql.raw("DELETE FROM projects WHERE id = \(bind: try project.requireID())").run()
            }
        }
    }

    /// Makes the index count as a large atlas, where one new item leaves what
    /// was ranked before current (one document in a hundred): in a small one,
    /// every write does. Writing that many items would hold the writers'
    /// queue, which the suites share, for seconds.
    static func countAsALargeAtlas(_ app: Application) async throws {
        try await app.db.sql.raw("UPDATE search_stats SET row_count = row_count + 10000 WHERE id = 1").run()
    }

    /// A search answer stays kept through writes of documents that cannot
    /// match it, and no longer once one may, or once a document it counted
    /// is rewritten or hidden.
    @Test func searchAnswersHoldUntilAWrittenDocumentMayMatch() async throws {
        try await withApp { app in
            let writer = ItemWriter(database: app.db)
            try await Self.countAsALargeAtlas(app)
            var first = ProjectDTO(title: "Guichet unique des aidants familiaux")
            first.stage = .exploration
            let project = try await writer.save(ProjectKind.self, first)
            let paths = ["/search?q=aidants", "/api/v1/search?q=aidants", "/search?q=aidants&type=projects&stage=exploration"]
            var kept: [String] = []
            for path in paths {
                _ = try await app.get(path)
                kept.append(try await app.get(path).body)
                // Pages mark the words found: the title is checked up to them.
                #expect(kept.last?.contains("Guichet unique des") == true, "\(path)")
            }

            var unrelated = ProjectDTO(title: "Bornes de recharge")
            unrelated.stage = .exploration
            try await writer.save(ProjectKind.self, unrelated)
            var hits = app.visitorPages.statistics.hits
            for (path, body) in zip(paths, kept) { #expect(try await app.get(path).body == body, "\(path) kept") }
            #expect(app.visitorPages.statistics.hits == hits + paths.count, "kept through a write that cannot match")

            var second = ProjectDTO(title: "Répit pour les aidants")
            second.stage = .exploration
            try await writer.save(ProjectKind.self, second)
            for path in paths { #expect(try await app.get(path).body.contains("Répit pour les"), "\(path) lists the new match") }

            // Rewritten so that it no longer matches: gone at once, and the counts with it.
            first.title = "Guichet unique des familles"
            try await writer.save(ProjectKind.self, first, existing: project)
            for path in paths { #expect(!(try await app.get(path).body.contains("Guichet unique")), "\(path) no longer lists it") }
            #expect(try await app.get("/api/v1/search?q=aidants").body.contains("\"total\":1"))

            // Hidden from visitors.
            second.visibility = .members
            try await writer.save(ProjectKind.self, second, existing: try #require(try await Project.query(on: app.db).filter(\.$title == "Répit pour les aidants").first()))
            for path in paths { #expect(!(try await app.get(path).body.contains("Répit pour les")), "\(path) hides it") }

            // An answer with no result (it may carry a suggestion) is not kept.
            hits = app.visitorPages.statistics.hits
            for _ in 0..<2 { _ = try await app.get("/search?q=introuvablement") }
            #expect(app.visitorPages.statistics.hits == hits)
        }
    }

    /// The marks alone decide some answers: a removal, or more than five new
    /// documents in a hundred since the ranking, and the answer is ranked again.
    @Test func searchAnswersAreRankedAgainAfterARemovalOrTooManyWrites() async throws {
        try await withApp { app in
            let sql = try app.db.sql
            let query = SearchQuery.parse("aidants")
            let ranked = SearchIndexMark(sequence: 1_000, rows: 1_000)
            let mark = KeptSearchAnswers.Mark(ranked: ranked, checked: ranked)
            #expect(try await KeptSearchAnswers.holds(mark, now: ranked, query: query, on: sql))
            // A removal: fewer documents than were added.
            #expect(!(try await KeptSearchAnswers.holds(mark, now: SearchIndexMark(sequence: 1_002, rows: 1_001), query: query, on: sql)))
            // Forty new documents in an index of 1,040 (none about carers): under five in a hundred.
            #expect(try await KeptSearchAnswers.holds(mark, now: SearchIndexMark(sequence: 1_040, rows: 1_040), query: query, on: sql))
            // Sixty new documents in an index of 1,060: more than five in a hundred.
            let sixty = SearchIndexMark(sequence: 1_060, rows: 1_060)
            #expect(!(try await KeptSearchAnswers.holds(mark, now: sixty, query: query, on: sql)))
            // Some answers last up to ten in a hundred, by their URL.
            #expect(try await KeptSearchAnswers.holds(mark, now: sixty, query: query, spread: 99, on: sql))
            #expect(!(try await KeptSearchAnswers.holds(mark, now: SearchIndexMark(sequence: 1_120, rows: 1_120), query: query,
                                                        spread: 99, on: sql)))
            let spreads = (0..<1_000).map { KeptSearchAnswers.spread(of: "/search?q=mot\($0)") }
            #expect(spreads.allSatisfy { (0..<100).contains($0) } && Set(spreads).count > 80)
            #expect(KeptSearchAnswers.spread(of: "/search?q=atelier") == KeptSearchAnswers.spread(of: "/search?q=atelier"))
            // An index restored to an earlier state.
            #expect(!(try await KeptSearchAnswers.holds(mark, now: SearchIndexMark(sequence: 999, rows: 999), query: query, on: sql)))
        }
    }

    /// A detail page with similar items stays kept through writes that
    /// change neither the item, nor what points at it, nor its kept
    /// neighbours; a neighbour's new text shows at once.
    @Test func detailPagesFollowTheirItemAndTheirNeighbours() async throws {
        try await withApp { app in
            let writer = ItemWriter(database: app.db)
            try await Self.countAsALargeAtlas(app)
            var projectDTO = ProjectDTO(title: "Guichet unique des aidants familiaux")
            projectDTO.summary = "Un guichet unique pour les aidants familiaux du département."
            projectDTO.stage = .exploration
            let project = try await writer.save(ProjectKind.self, projectDTO)
            var neighbourDTO = MethodDTO(name: "Guichet des aidants familiaux")
            neighbourDTO.description = "Accueillir les aidants familiaux au guichet."
            neighbourDTO.category = .understanding
            let neighbour = try await writer.save(MethodKind.self, neighbourDTO)
            let path = "/projects/\(project.slug)"
            // Until its similar items are kept, a page is ranked afresh; ranked
            // while a write is under way, they are not kept. Views go past the
            // cache until they are.
            let cache = app.visitorPages
            app.visitorPages = VisitorPageCache(capacity: 0)
            #expect(try await app.viewUntilKept(path))
            app.visitorPages = cache
            let kept = try await app.get(path).body
            #expect(kept.contains("Guichet des aidants familiaux"), "the method is a neighbour")

            var other = ProjectDTO(title: "Projet des bornes de recharge")
            other.summary = "Des bornes."
            other.stage = .exploration
            try await writer.save(ProjectKind.self, other)
            let hits = app.visitorPages.statistics.hits
            #expect(try await app.get(path).body == kept)
            #expect(app.visitorPages.statistics.hits == hits + 1, "kept through a write that changes nothing it shows")

            neighbourDTO.description = "Accueillir les aidants familiaux au guichet, même le samedi."
            try await writer.save(MethodKind.self, neighbourDTO, existing: neighbour)
            #expect(try await app.get(path).body.contains("même le samedi"), "the neighbour's new text")
            neighbourDTO.visibility = .members
            try await writer.save(MethodKind.self, neighbourDTO, existing: neighbour)
            #expect(!(try await app.get(path).body.contains("Guichet des aidants familiaux")), "the neighbour hidden from visitors")
        }
    }

    /// A card is kept for visitors while its item and every type's
    /// references are unchanged: a list rendered again after a write builds
    /// only the cards of what was written.
    @Test func cardsFollowTheirItemAndTheNamesTheyShow() async throws {
        try await withApp { app in
            let writer = ItemWriter(database: app.db)
            let lab = try await writer.save(LabKind.self, LabDTO(name: "Lab de la Loire"))
            var projects: [(ProjectDTO, Project)] = []
            for title in ["Guichet des aidants", "Bornes de recharge", "Cantine zéro déchet"] {
                var dto = ProjectDTO(title: title)
                dto.stage = .exploration
                dto.labs = [lab.slug]
                dto.summary = "Premier résumé de « \(title) »."
                projects.append((dto, try await writer.save(ProjectKind.self, dto)))
            }
            let withKeptCards = try await app.get("/projects").body
            #expect(app.visitorCards.statistics.items == 3)
            #expect(withKeptCards.contains("<article class=\"card\">") && withKeptCards.contains("Premier résumé de « Bornes de recharge »"))
            // A kept card is rendered once and inserted as it is: the page is the one its cards, rendered in place, make.
            let (pages, cards) = (app.visitorPages, app.visitorCards)
            (app.visitorPages, app.visitorCards) = (VisitorPageCache(capacity: 0), VisitorCardCache(capacity: 0))
            #expect(try await app.get("/projects").body == withKeptCards)
            (app.visitorPages, app.visitorCards) = (pages, cards)

            // A new project: the list is rendered again, with the three cards kept.
            var other = ProjectDTO(title: "Répit des proches")
            other.stage = .exploration
            try await writer.save(ProjectKind.self, other)
            var before = app.visitorCards.statistics
            #expect(try await app.get("/projects").body.contains("Répit des proches"))
            #expect(app.visitorCards.statistics.hits == before.hits + 3)
            #expect(app.visitorCards.statistics.built == before.built + 1)

            // A project's own text: its card alone is built again.
            var (dto, project) = projects[0]
            dto.summary = "Second résumé, réécrit."
            try await writer.save(ProjectKind.self, dto, existing: project)
            before = app.visitorCards.statistics
            let page = try await app.get("/projects").body
            #expect(page.contains("Second résumé, réécrit."))
            #expect(!page.contains("Premier résumé de « Guichet des aidants »"))
            #expect(app.visitorCards.statistics.built == before.built + 1)

            // The lab renamed: every card that names it, at once.
            var labDTO = LabDTO(name: "Lab de Nantes")
            labDTO.slug = lab.slug
            try await writer.save(LabKind.self, labDTO, existing: lab)
            let renamed = try await app.get("/projects").body
            #expect(renamed.contains("Lab de Nantes") && !renamed.contains("Lab de la Loire"))

            // A project hidden from visitors: its card is not shown, kept or not.
            (dto, project) = projects[1]
            dto.visibility = .members
            try await writer.save(ProjectKind.self, dto, existing: project)
            #expect(!(try await app.get("/projects").body.contains("Bornes de recharge")))
            #expect(!(try await app.get("/labs/\(lab.slug)").body.contains("Bornes de recharge")))
        }
    }

    /// The read API's lists write a visitor's items from their kept JSON: the
    /// same bytes and headers as encoding them whole, cursor included; an
    /// edited item is written afresh, the others are kept.
    @Test func apiListsWriteKeptItemsAsEncodingThemWould() async throws {
        // Its own application: it edits an item and swaps the caches, which the shared demo's readers must not see.
        try await withApp { app in
            _ = try await DemoLoader(database: app.db).load()
            func fetch(_ path: String) async throws -> (body: String, type: String?) {
                let page = try await app.get(path)
                #expect(page.status == .ok, "\(path)")
                return (page.body, page.headers.first(name: .contentType))
            }
            // An empty page too: no item to stamp.
            let paths = ["/api/v1/projects?limit=3", "/api/v1/labs?limit=50", "/api/v1/networks", "/api/v1/projects?stage=abandoned&theme=sociale&region=Corse"]
            var kept: [String: (body: String, type: String?)] = [:]
            for path in paths { kept[path] = try await fetch(path) }
            let firstPage = try #require(kept[paths[0]]?.body)
            let firstObject = try #require(try JSONSerialization.jsonObject(with: Data(firstPage.utf8)) as? [String: Any])
            let cursor = try #require(firstObject["next_cursor"] as? String)
            let second = "/api/v1/projects?limit=3&cursor=\(cursor)"
            kept[second] = try await fetch(second)
            #expect(kept[paths[3]]?.body == #"{"items":[],"next_cursor":null}"#)
            #expect(app.visitorJSON.statistics.items > 3)

            let (pages, json) = (app.visitorPages, app.visitorJSON)
            (app.visitorPages, app.visitorJSON) = (VisitorPageCache(capacity: 0), VisitorJSONCache(capacity: 0))
            for path in paths + [second] {
                let encoded = try await fetch(path)
                #expect(encoded.body == kept[path]?.body, "\(path)")
                #expect(encoded.type == kept[path]?.type, "\(path)")
            }
            (app.visitorPages, app.visitorJSON) = (pages, json)

            // One project's summary edited: its item alone is written afresh.
            let slug = try #require((firstObject["items"] as? [[String: Any]])?.first?["slug"] as? String)
            let project = try #require(try await Project.query(on: app.db).filter(\.$slug == slug).first())
            var dto = try #require(try await ItemRepository(database: app.db, reader: .system).dtos(ProjectKind.self, [project]).first)
            dto.summary = "Un résumé réécrit pour l'API."
            try await ItemWriter(database: app.db).save(ProjectKind.self, dto, existing: project)
            let before = app.visitorJSON.statistics
            let edited = try await fetch(paths[0]).body
            #expect(edited.contains("Un résumé réécrit pour l'API."))
            let after = app.visitorJSON.statistics
            #expect(after.built == before.built + 1, "\(before) → \(after)")
            #expect(after.hits == before.hits + 2, "\(before) → \(after)")
        }
    }

    /// Pages that show events as upcoming or past (the home page, event lists)
    /// are kept while no event has ended since: the first view after an end
    /// is rendered afresh, though nothing was written.
    @Test func pagesOfTheDateFollowTheEndOfEvents() async throws {
        try await withApp { app in
            let writer = ItemWriter(database: app.db)
            let lab = try await writer.save(LabKind.self, LabDTO(name: "Lab des rencontres"))
            let paths = ["/", "/events?when=upcoming", "/api/v1/events?when=upcoming"]
            // The event must still be upcoming through the first views: on a busy
            // machine a short wait may pass before they are done, and a longer one is tried.
            for wait in [5.0, 20.0, 60.0] {
                let title = "Rencontre qui finit dans \(Int(wait)) secondes"
                var event = EventDTO(title: title)
                event.labs = [lab.slug]
                let end = Date().addingTimeInterval(wait)
                event.timings = [Timing(begin: end.addingTimeInterval(-3600), end: end)]
                try await writer.save(EventKind.self, event)
                var before: [String] = []
                for path in paths { before.append(try await app.get(path).body) }
                let hits = app.visitorPages.statistics.hits
                for path in paths { _ = try await app.get(path) }
                let hitsAfter = app.visitorPages.statistics.hits
                guard Date() < end.addingTimeInterval(-0.5) else { continue }
                for (path, body) in zip(paths, before) { #expect(body.contains(title), "\(path) before the end") }
                #expect(hitsAfter == hits + paths.count)
                try await Task.sleep(for: .seconds(max(0, end.timeIntervalSinceNow) + 1))
                for path in paths {
                    #expect(!(try await app.get(path).body.contains(title)), "\(path) after the end")
                }
                #expect(try await app.get("/events?when=past").body.contains(title))
                return
            }
            Issue.record("the machine never served three pages within a minute")
        }
    }

    /// The report as the server stops names what was served again, by
    /// section; a command (a token, a backup), which serves nothing, says
    /// nothing: its output is read by scripts.
    @Test func theReportSpeaksOnlyWhenPagesWereServed() async throws {
        try await withApp { app in
            let log = CapturedLog()
            app.logger = Logger(label: "report") { _ in log }
            VisitorPageCacheReport().shutdown(app)
            #expect(log.lines.isEmpty)
            _ = try await app.get("/labs")
            _ = try await app.get("/labs")
            VisitorPageCacheReport().shutdown(app)
            #expect(log.lines.count == 1)
            #expect(log.lines.first?.contains("/labs 1/2") == true)
        }
    }

    @Test func theCacheKeepsToItsBoundAndToItsStamps() {
        let cache = VisitorPageCache(capacity: 64 * 1024)
        func page(_ stamp: Int64, bytes: Int) -> VisitorPageCache.Page {
            var buffer = ByteBufferAllocator().buffer(capacity: bytes)
            buffer.writeRepeatingByte(0x61, count: bytes)
            return VisitorPageCache.Page(stamp: [stamp], headers: ["Content-Type": "text/html"], body: buffer)
        }
        cache.keep("/a", page(1, bytes: 4_000))
        #expect(cache.page("/a", stamp: [1])?.body.readableBytes == 4_000)
        #expect(cache.page("/a", stamp: [2]) == nil)
        #expect(cache.page("/b", stamp: [1]) == nil)
        // Kept again under a new stamp: the old one no longer answers.
        cache.keep("/a", page(2, bytes: 4_000))
        #expect(cache.page("/a", stamp: [1]) == nil && cache.page("/a", stamp: [2]) != nil)
        // Too big for the cache (over an eighth): not kept.
        cache.keep("/big", page(1, bytes: 10_000))
        #expect(cache.page("/big", stamp: [1]) == nil)
        // Past the bound, the oldest go first.
        for index in 0..<40 { cache.keep("/page\(index)", page(1, bytes: 4_000)) }
        let statistics = cache.statistics
        #expect(statistics.bytes <= cache.capacity)
        #expect(cache.page("/page39", stamp: [1]) != nil)
        #expect(cache.page("/page0", stamp: [1]) == nil)
        #expect(cache.page("/a", stamp: [2]) == nil)
        #expect(VisitorPageCache.capacity(environment: "0") == 0)
        #expect(VisitorPageCache.capacity(environment: nil) == 64 * 1024 * 1024)
        #expect(VisitorPageCache.capacity(environment: "oops") == 64 * 1024 * 1024)
    }
}

extension VisitorPageCacheTests {
    static func page(_ stamp: Int64, readOrder: Int = 0, text: String = "page") -> VisitorPageCache.Page {
        VisitorPageCache.Page(stamp: [stamp], headers: ["Content-Type": "text/html"], body: ByteBuffer(string: text), readOrder: readOrder)
    }

    /// Visitors asking for a page at the stamp another one is rendering wait
    /// for that render; at another stamp, they render their own.
    @Test(.timeLimit(.minutes(1))) func visitorsAtTheSameStampShareOneRender() async throws {
        let cache = VisitorPageCache(capacity: 64 * 1024)
        guard case .render(let order) = cache.claim("/a", stamp: [1]) else { Issue.record("the first visitor renders"); return }
        guard case .join = cache.claim("/a", stamp: [1]) else { Issue.record("the second waits"); return }
        guard case .render = cache.claim("/a", stamp: [2]) else { Issue.record("another stamp renders its own"); return }
        let waiting = (0..<3).map { _ in Task { await cache.join("/a", stamp: [1]) } }
        // The render at the other stamp lands first: nobody waiting for stamp 1 is woken.
        #expect(await waitUntil({ cache.waiting(for: "/a") == 3 }, within: .seconds(30)))
        cache.land("/a", stamp: [2], page: Self.page(2, readOrder: order + 2, text: "deux"))
        #expect(cache.waiting(for: "/a") == 3)
        cache.land("/a", stamp: [1], page: Self.page(1, readOrder: order, text: "un"))
        for task in waiting {
            #expect(await task.value.map { String(buffer: $0.body) } == "un")
        }
        // Read earlier, the page at stamp 1 did not replace the one at stamp 2.
        guard case .kept(let kept) = cache.claim("/a", stamp: [2]) else { Issue.record("the later page is kept"); return }
        #expect(String(buffer: kept.body) == "deux")
        #expect(cache.statistics.hits == 4 && cache.statistics.misses == 2)
        // A join after the render landed gets the kept page without waiting.
        #expect(await cache.join("/a", stamp: [2]).map { String(buffer: $0.body) } == "deux")
    }

    /// A render that fails or is not kept wakes those waiting with nothing:
    /// they render for themselves.
    @Test(.timeLimit(.minutes(1))) func aFailedRenderLetsTheWaitingRenderForThemselves() async throws {
        let cache = VisitorPageCache(capacity: 64 * 1024)
        guard case .render = cache.claim("/a", stamp: [1]) else { Issue.record("the first visitor renders"); return }
        guard case .join = cache.claim("/a", stamp: [1]) else { Issue.record("the second waits"); return }
        let waiting = Task { await cache.join("/a", stamp: [1]) }
        #expect(await waitUntil({ cache.waiting(for: "/a") == 1 }, within: .seconds(30)))
        cache.land("/a", stamp: [1], page: nil)
        #expect(await waiting.value == nil)
        // Nothing is under way any more: the next visitor renders.
        guard case .render = cache.claim("/a", stamp: [1]) else { Issue.record("the next visitor renders"); return }
    }

    /// Through the application: visitors asking at once for a page whose
    /// types just changed all get the new page.
    @Test func simultaneousVisitorsAfterAWriteAllGetTheNewPage() async throws {
        try await withApp { app in
            // More visitors than may run at once would make the server busy, and its lists lag.
            app.visitorPages = VisitorPageCache(capacity: 64 * 1024 * 1024, lag: nil)
            let writer = ItemWriter(database: app.db)
            _ = try await writer.save(LabKind.self, LabDTO(name: "Lab de départ"))
            _ = try await app.get("/labs")
            _ = try await writer.save(LabKind.self, LabDTO(name: "Lab arrivé ensuite"))
            let before = app.visitorPages.statistics
            let bodies = try await withThrowingTaskGroup(of: String.self) { group in
                for _ in 0..<8 { group.addTask { try await app.get("/labs").body } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(Set(bodies).count == 1)
            #expect(bodies.first?.contains("Lab arrivé ensuite") == true)
            let after = app.visitorPages.statistics
            // Each counted once, served again or rendered, none left waiting.
            #expect(after.hits + after.misses - before.hits - before.misses == 8)
        }
    }
}

extension VisitorPageCacheTests {
    /// A busy server serves a list kept a moment ago, older than the latest
    /// write, unless a reference changed since; never when it is not busy,
    /// nor past the limit, nor for a page that never lags.
    @Test func aBusyServerServesAListKeptAMomentAgo() {
        let busy = Atomic<Bool>(false)
        let cache = VisitorPageCache(capacity: 64 * 1024, lag: .init(limit: .seconds(60), isBusy: { busy.load(ordering: .relaxed) }))
        func keep(_ key: String, stamp: Int64, references: [Int64]?, readAt: ContinuousClock.Instant = .now) {
            guard case .render(let order) = cache.claim(key, stamp: [stamp], references: references) else {
                Issue.record("\(key) at \(stamp) renders"); return
            }
            cache.land(key, stamp: [stamp], page: VisitorPageCache.Page(
                stamp: [stamp], references: references, readAt: readAt, headers: [:], body: ByteBuffer(string: "\(key) \(stamp)"), readOrder: order))
        }
        func served(_ key: String, stamp: Int64, references: [Int64]?) -> String {
            switch cache.claim(key, stamp: [stamp], references: references) {
            case .kept(let page): return "kept " + String(buffer: page.body)
            case .lagging(let page): return "lagging " + String(buffer: page.body)
            case .join: return "join"
            case .render:
                cache.land(key, stamp: [stamp], page: nil)
                return "render"
            }
        }
        keep("/labs", stamp: 1, references: [7, 0])
        #expect(served("/labs", stamp: 2, references: [7, 0]) == "render", "not busy: every write shows at once")
        busy.store(true, ordering: .relaxed)
        #expect(served("/labs", stamp: 2, references: [7, 0]) == "lagging /labs 1")
        #expect(served("/labs", stamp: 1, references: [7, 0]) == "kept /labs 1")
        #expect(served("/labs", stamp: 2, references: [8, 0]) == "render", "a name, a visibility or a deletion never lags")
        #expect(served("/labs", stamp: 2, references: [7, 1]) == "render", "nor an event that ended")
        #expect(served("/labs", stamp: 2, references: nil) == "render", "nor an item's page")
        keep("/old", stamp: 1, references: [7], readAt: .now - .seconds(61))
        #expect(served("/old", stamp: 2, references: [7]) == "render", "read more than the limit ago")
        #expect(cache.statistics.lagging == 1)
        #expect(VisitorPageCache.Lag.from(environment: nil, isBusy: { true })?.limit == .seconds(5))
        #expect(VisitorPageCache.Lag.from(environment: "250", isBusy: { true })?.limit == .milliseconds(250))
        #expect(VisitorPageCache.Lag.from(environment: "0", isBusy: { true }) == nil)
    }

    /// Through the application: while busy, a new lab is missing from the
    /// kept list for a moment, but a lab made members-only leaves it at once,
    /// and the lab's own page shows its latest text at once.
    @Test func listsLagOnlyBehindWritesThatHideNothing() async throws {
        try await withApp { app in
            app.visitorPages = VisitorPageCache(capacity: 64 * 1024 * 1024, lag: .init(limit: .seconds(60), isBusy: { true }))
            let writer = ItemWriter(database: app.db)
            var firstDTO = LabDTO(name: "Lab des marais")
            firstDTO.objectives = "Première description."
            let first = try await writer.save(LabKind.self, firstDTO)
            #expect(try await app.get("/labs").body.contains("Lab des marais"))
            _ = try await app.get("/labs/\(first.slug)")
            _ = try await writer.save(LabKind.self, LabDTO(name: "Lab des falaises"))
            #expect(!(try await app.get("/labs").body.contains("Lab des falaises")), "a moment behind the new lab")
            firstDTO.objectives = "Deuxième description."
            try await writer.save(LabKind.self, firstDTO, existing: first)
            #expect(try await app.get("/labs/\(first.slug)").body.contains("Deuxième description."), "an item's page never lags")
            firstDTO.visibility = .members
            try await writer.save(LabKind.self, firstDTO, existing: first)
            let list = try await app.get("/labs").body
            #expect(!list.contains("Lab des marais"), "made members-only: gone at once")
            #expect(list.contains("Lab des falaises"))
            #expect(app.visitorPages.statistics.lagging >= 1)
        }
    }

    /// Through the application: while busy, a kept search answer is served as
    /// it is for a moment after a write that may match it, but a project made
    /// members-only leaves it at once, and the answer ranked again then holds
    /// the new match.
    @Test func searchAnswersLagOnlyBehindWritesThatHideNothing() async throws {
        try await withApp { app in
            app.visitorPages = VisitorPageCache(capacity: 64 * 1024 * 1024, lag: .init(limit: .seconds(60), isBusy: { true }))
            let writer = ItemWriter(database: app.db)
            var first = ProjectDTO(title: "Guichet unique des aidants familiaux")
            first.stage = .exploration
            let project = try await writer.save(ProjectKind.self, first)
            let paths = ["/search?q=aidants", "/api/v1/search?q=aidants"]
            for path in paths { #expect(try await app.get(path).body.contains("Guichet unique des"), "\(path)") }
            var second = ProjectDTO(title: "Répit pour les aidants")
            second.stage = .exploration
            _ = try await writer.save(ProjectKind.self, second)
            let before = app.visitorPages.statistics.lagging
            for path in paths { #expect(!(try await app.get(path).body.contains("Répit pour les")), "\(path): a moment behind the new match") }
            #expect(app.visitorPages.statistics.lagging == before + paths.count)
            first.visibility = .members
            try await writer.save(ProjectKind.self, first, existing: project)
            for path in paths {
                let body = try await app.get(path).body
                #expect(!body.contains("Guichet unique"), "\(path): made members-only, gone at once")
                #expect(body.contains("Répit pour les"), "\(path): ranked again, with the new match")
            }
        }
    }
}

/// Log lines, kept for a test to read.
final class CapturedLog: LogHandler, @unchecked Sendable {
    private let kept = Mutex<[String]>([])
    var metadata: Logger.Metadata = [:]
    /// Notices and above: requests are logged below.
    var logLevel: Logger.Level = .notice

    var lines: [String] { kept.withLock { $0 } }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(level: Logger.Level, message: Logger.Message, metadata: Logger.Metadata?, source: String,
             file: String, function: String, line: UInt) {
        kept.withLock { $0.append(message.description) }
    }
}
