import Foundation
import Testing
import Vapor
import Fluent
import SQLKit
@testable import LabAtlasServer
import LabAtlasCore

/// The counts the database keeps (`item_counts`, migration 005) stay equal to
/// counting the items, whatever is written: creations, edits that change facet
/// values and visibility, a lab's edit rewriting its dependents' facets, soft
/// deletes and undeletes, a row removed outright; and pages show them. On
/// PostgreSQL, the search posting lists kept by the same writes equal a rebuild.
@Suite struct ItemCountsTests {
    /// The non-zero rows of `item_counts`.
    static func kept(_ sql: any SQLDatabase) async throws -> [String: Int] {
        var rows: [String: Int] = [:]
        for row in try await sql.select().column("item_type").column("facet").column("value").column("facet2").column("value2")
            .column("visibility").column("n").from("item_counts").all() {
            let n = try row.decode(column: "n", as: Int.self)
            guard n != 0 else { continue }
            let key = try ["item_type", "facet", "value", "facet2", "value2", "visibility"].map { try row.decode(column: $0, as: String.self) }
            rows[key.joined(separator: " | ")] = n
        }
        return rows
    }

    /// Compares the kept counts with a recount from the items (which then replaces them).
    static func expectKeptEqualsRecount(_ app: Application, after step: String) async throws {
        let sql = try app.db.sql
        let before = try await kept(sql)
        try await ItemCounts.recount(on: sql)
        let recounted = try await kept(sql)
        let differing = Set(before.keys).union(recounted.keys).filter { before[$0] != recounted[$0] }.sorted()
        #expect(differing.isEmpty, "after \(step): kept vs recounted \(differing.prefix(5).map { "\($0): \(before[$0] ?? 0) vs \(recounted[$0] ?? 0)" })")
        #expect(!recounted.isEmpty)
        if app.db.isPostgres { try await expectPostingsEqualRebuild(sql, after: step) }
    }

    /// PostgreSQL's posting lists (`search_bitmaps`), by key and scope.
    static func postings(_ sql: any SQLDatabase) async throws -> [String: PostingBitmap] {
        var sets: [String: PostingBitmap] = [:]
        for row in try await sql.select().column("key").column("scope").column("chunk").column("bits").from(PostgresPostings.table).all() {
            let name = "\(try row.decode(column: "key", as: String.self)) in \(try row.decode(column: "scope", as: Int64.self))"
            let set = PostgresPostings.set(chunk: try row.decode(column: "chunk", as: Int64.self), bytes: try row.decode(column: "bits", as: Data.self))
            #expect(set != nil, "\(name) holds a set")
            sets[name, default: PostingBitmap()].formUnion(set ?? PostingBitmap())
        }
        return sets
    }

    /// The posting lists written save by save equal those rebuilt from the index's tables.
    static func expectPostingsEqualRebuild(_ sql: any SQLDatabase, after step: String) async throws {
        let kept = try await postings(sql)
        try await PostgresPostings(database: sql).rebuild()
        let rebuilt = try await postings(sql)
        let differing = Set(kept.keys).union(rebuilt.keys).filter { kept[$0] != rebuilt[$0] }.sorted()
        #expect(differing.isEmpty, "after \(step): posting lists kept vs rebuilt differ for \(differing.prefix(5))")
        #expect(rebuilt.keys.contains { $0.hasPrefix("f:") } && rebuilt.keys.contains { $0.hasPrefix("t:") })
    }

    @Test func keptCountsFollowEveryKindOfWrite() async throws {
        try await withApp { app in
            _ = try await DemoLoader(database: app.db).load()
            try await Self.expectKeptEqualsRecount(app, after: "the demo")

            let writer = ItemWriter(database: app.db)
            let lab = try #require(try await Lab.query(on: app.db).sort(\.$slug).first())
            var dto = ProjectDTO(title: "Compter les projets sans lire la table")
            dto.stage = .exploration
            dto.labs = [lab.slug]
            dto.themes = ["Numérique", "Santé"]
            let project = try await writer.save(ProjectKind.self, dto)
            try await Self.expectKeptEqualsRecount(app, after: "a creation")

            dto.themes = ["Mobilités"]
            dto.stage = .prototyping
            dto.visibility = .members
            _ = try await writer.save(ProjectKind.self, dto, existing: project)
            try await Self.expectKeptEqualsRecount(app, after: "an edit of facets and visibility")

            // A lab's region is a facet of the items linked to it: they are rewritten.
            let repository = ItemRepository(database: app.db, reader: .system)
            var labDTO = try #require(try await repository.dtos(LabKind.self, [lab]).first)
            labDTO.region = labDTO.region == "Bretagne" ? "Normandie" : "Bretagne"
            labDTO.visibility = .network
            _ = try await writer.save(LabKind.self, labDTO, existing: lab)
            try await Self.expectKeptEqualsRecount(app, after: "a lab's edit")

            let experience = try #require(try await Experience.query(on: app.db).sort(\.$slug).first())
            try await writer.delete(ExperienceKind.self, experience, context: .system)
            try await Self.expectKeptEqualsRecount(app, after: "a soft delete")
            let experienceID = try experience.requireID()
            let deleted = try #require(try await Experience.query(on: app.db).withDeleted().filter(\._$id == experienceID).first())
            try await writer.undelete(ExperienceKind.self, deleted, context: .system)
            try await Self.expectKeptEqualsRecount(app, after: "an undelete")

            // Removed outright, in either order with its facet rows.
            let sql = try app.db.sql
            let sessions = try await WorkSession.query(on: app.db).sort(\.$slug).limit(2).all()
            try #require(sessions.count == 2)
            try await sql.delete(from: WorkSession.schema).where("id", .equal, SQLBind(try sessions[0].requireID())).run()
            try await sql.delete(from: ItemFacet.schema).where("item_id", .equal, SQLBind(try sessions[0].requireID())).run()
            try await sql.delete(from: ItemFacet.schema).where("item_id", .equal, SQLBind(try sessions[1].requireID())).run()
            try await sql.delete(from: WorkSession.schema).where("id", .equal, SQLBind(try sessions[1].requireID())).run()
            try await Self.expectKeptEqualsRecount(app, after: "rows removed outright")
            // Many items and facet rows to a statement, as imports and the benchmark loader write them.
            _ = try await SyntheticAtlasLoader(database: app.db, corpus: SyntheticCorpus(generalWords: []), seed: 5).load(count: 300)
            try await Self.expectKeptEqualsRecount(app, after: "a bulk load")
            try await sql.delete(from: ItemFacet.schema).where("item_type", .equal, SQLBind("sessions")).run()
            try await Self.expectKeptEqualsRecount(app, after: "facet rows deleted many to a statement")
        }
    }

    /// SQLite compiles every trigger of a table into each statement writing it:
    /// `item_facets` has one count trigger an event (migration 010), and both
    /// forms, folded and by type, keep the same counts.
    @Test func facetRowsHaveOneCountTriggerAnEventOnSQLite() async throws {
        try await withApp { app in
            guard !app.db.isPostgres else { return }
            let sql = try app.db.sql
            func triggers() async throws -> [String] {
                try await sql.raw("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'item_facets' ORDER BY name")
                    .all().map { try $0.decode(column: "name", as: String.self) }
            }
            #expect(try await triggers() == ["item_facets_counts_delete", "item_facets_counts_insert"])
            _ = try await DemoLoader(database: app.db).load()
            let writer = ItemWriter(database: app.db)
            var dto = ProjectDTO(title: "Un trigger pour tous les types")
            dto.stage = .exploration
            dto.themes = ["Numérique"]
            let project = try await writer.save(ProjectKind.self, dto)
            dto.themes = ["Santé", "Mobilités"]
            _ = try await writer.save(ProjectKind.self, dto, existing: project)
            try await Self.expectKeptEqualsRecount(app, after: "saves under the folded triggers")

            // Reverted, the triggers by type are back and count the same.
            try await FoldFacetCountTriggers().revert(on: app.db)
            #expect(try await triggers().count == 2 * ItemType.allCases.count)
            dto.themes = ["Éducation"]
            _ = try await writer.save(ProjectKind.self, dto, existing: project)
            try await Self.expectKeptEqualsRecount(app, after: "a save under the triggers by type")
            try await FoldFacetCountTriggers().prepare(on: app.db)
            #expect(try await triggers().count == 2)
        }
    }

    /// A list with two filters: its total and the two filtered facets come from
    /// the kept pairs, the others from the items; all agree with the items.
    @Test func twoFiltersCountLikeTheItems() async throws {
        try await withApp { app in
            _ = try await SyntheticAtlasLoader(database: app.db, corpus: SyntheticCorpus(generalWords: []), seed: 9).load(count: 400)
            let sql = try app.db.sql
            let row = try #require(try await sql.raw("""
                SELECT a.facet AS f, a.value AS v, b.facet AS g, b.value AS w FROM item_facets a
                JOIN item_facets b ON b.item_id = a.item_id AND a.facet = 'nature' AND b.facet = 'format'
                WHERE a.item_type = 'sessions' LIMIT 1
                """).first())
            var query = ListQuery(type: .sessions, reader: .anonymous)
            for (facet, value) in [("f", "v"), ("g", "w")] {
                query.filters[try row.decode(column: facet, as: String.self)] = try row.decode(column: value, as: String.self)
            }
            let members = try await Reader.load(account: .init(id: UUID(), name: "Membre", email: "m@example.org", isAdmin: false), on: app.db)
            // A signed-in reader without memberships sees what a visitor sees, counted from the items.
            var fromItems = query
            fromItems.reader = members
            #expect(try await query.count(on: app.db) == (try await fromItems.count(on: app.db)))
            #expect(try await query.count(on: app.db) > 0)
            let kept = try await query.facetCounts(on: app.db)
            let counted = try await fromItems.facetCounts(on: app.db)
            #expect(kept == counted)
            #expect(!(kept["nature"] ?? [:]).isEmpty && !(kept["year"] ?? [:]).isEmpty)
        }
    }

    /// A visitor's home page and lists read the kept counts; they match the items they can see.
    @Test func visitorsCountsMatchTheItemsTheySee() async throws {
        try await withDemoApp { app in
            let publicProjects = try await Project.query(on: app.db).filter(CommonColumn.visibility, .equal, "public").count()
            let kept = try await ItemCounts(database: try app.db.sql).count(.projects, visibilities: [.public])
            #expect(kept == publicProjects)
            var listed = ListQuery(type: .projects, reader: .anonymous)
            #expect(try await listed.count(on: app.db) == publicProjects)
            let stage = try #require(try await Project.query(on: app.db).filter(CommonColumn.visibility, .equal, "public").first()).stage
            listed.filters["stage"] = stage.rawValue
            let withStage = try await Project.query(on: app.db).filter(CommonColumn.visibility, .equal, "public").filter("stage", .equal, stage.rawValue).count()
            #expect(try await listed.count(on: app.db) == withStage)
            let counts = try await ListQuery(type: .projects, reader: .anonymous).facetCounts(on: app.db)
            #expect(counts["stage"]?[stage.rawValue] == withStage)
            let home = try await app.get("/")
            #expect(home.body.contains(French.number(publicProjects)))
        }
    }

    /// Several counts read together (the home page's figures) equal each read
    /// alone, for a visitor and an administrator (kept counts, one statement)
    /// and for a member (counted from the items), with none, one and two filters.
    @Test func countsReadTogetherEqualEachAlone() async throws {
        try await withDemoApp { app in
            let stage = try #require(try await Project.query(on: app.db).first()).stage
            let member = try await Reader.load(account: .init(id: UUID(), name: "Membre", email: "m@example.org", isAdmin: false), on: app.db)
            let admin = Reader.system
            for reader in [Reader.anonymous, admin, member] {
                var queries = ItemType.allCases.map { ListQuery(type: $0, reader: reader) }
                var staged = ListQuery(type: .projects, reader: reader)
                staged.filters["stage"] = stage.rawValue
                var themed = staged
                themed.filters["theme"] = "numerique"
                var upcoming = ListQuery(type: .events, reader: reader)
                upcoming.filters["when"] = "upcoming"
                queries += [staged, themed, upcoming]
                var alone: [Int] = []
                for query in queries { alone.append(try await query.count(on: app.db)) }
                #expect(try await ListQuery.counts(queries, on: app.db) == alone)
                #expect(alone.filter { $0 > 0 }.count >= ItemType.allCases.count)
            }
        }
    }
}
