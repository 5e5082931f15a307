import Foundation
import Fluent
import Testing
import Vapor
@testable import LabAtlasCore
@testable import LabAtlasServer

@Suite struct DemoTests {
    @Test func loadingTwiceChangesNothing() async throws {
        try await withApp { app in
            let first = try await DemoLoader(database: app.db).load()
            #expect(first.added >= 200 && first.alreadyThere == 0)
            let before = try await Self.snapshot(app)
            let second = try await DemoLoader(database: app.db).load()
            #expect(second.added == 0 && second.alreadyThere == first.added)
            let checked1 = try await Self.snapshot(app) == before
            #expect(checked1)
        }
    }

    @Test func demoCoversEveryVocabulary() async throws {
        try await withDemoApp { app in
            let labs = try await Lab.query(on: app.db).all()
            #expect(labs.count >= 15)
            #expect(Set(labs.compactMap(\.maturity)) == Set(Maturity.allCases))
            #expect(Set(labs.compactMap(\.governmentLevel)) == Set(GovernmentLevel.allCases))
            #expect(labs.contains { $0.region.map(FrenchRegions.isOverseas) == true })
            let projects = try await Project.query(on: app.db).all()
            #expect(projects.count >= 40)
            #expect(Set(projects.map(\.stage)) == Set(Stage.allCases))
            #expect(projects.contains { Set($0.stageHistory.map(\.since.year)).count >= 3 })
            let sessions = try await WorkSession.query(on: app.db).all()
            #expect(sessions.count >= 80)
            #expect(Set(sessions.compactMap(\.nature)) == Set(SessionNature.allCases))
            #expect(Set(sessions.compactMap(\.level)) == [1, 2, 3])
            #expect(Set(sessions.compactMap(\.format)) == Set(SessionFormat.allCases))
            #expect(Set(sessions.map { $0.date.prefix(4) }).count >= 3)
            let events = try await Event.query(on: app.db).all()
            #expect(events.count >= 30)
            #expect(events.contains { $0.status == .cancelled } && events.contains { $0.attendance == .online })
            #expect(events.contains { $0.startsAt > Date() } && events.contains { $0.endsAt < Date() })
            let methods = try await FacilitationMethod.query(on: app.db).all()
            #expect(Set(methods.map(\.category)) == Set(MethodCategory.allCases))
            let checked2 = try await Experience.query(on: app.db).count() >= 25
            #expect(checked2)
            let checked3 = try await Network.query(on: app.db).count() >= 3
            #expect(checked3)
        }
    }

    @Test func nonPublicDemoItemsStayHiddenFromVisitors() async throws {
        try await withDemoApp { app in
            let hidden = try await Lab.query(on: app.db).filter(\.$visibility != .public).all()
            #expect(!hidden.isEmpty)
            for lab in hidden {
                let checked4 = try await app.get("/labs/\(lab.slug)").status == .notFound
                #expect(checked4)
                let checked5 = try await app.get("/api/v1/labs/\(lab.slug)").status == .notFound
                #expect(checked5)
                let checked6 = !(try await app.get("/labs").body.contains("/labs/\(lab.slug)\""))
                #expect(checked6)
                let checked7 = !(try await app.get("/api/v1/projects?limit=100").body.contains("\"\(lab.slug)\""))
                #expect(checked7)
            }
        }
    }

    static func snapshot(_ app: Application) async throws -> [String] {
        var lines: [String] = []
        for lab in try await Lab.query(on: app.db).sort(\.$slug).all() { lines.append("lab \(lab.slug) r\(lab.revision)") }
        for project in try await Project.query(on: app.db).sort(\.$slug).all() { lines.append("project \(project.slug) r\(project.revision)") }
        lines.append("links \(try await ItemLink.query(on: app.db).count())")
        lines.append("facets \(try await ItemFacet.query(on: app.db).count())")
        lines.append("sessions \(try await WorkSession.query(on: app.db).count())")
        lines.append("events \(try await Event.query(on: app.db).count())")
        return lines
    }
}

@Suite struct WriterTests {
    @Test func referencesMustExistAndNothingIsWrittenOtherwise() async throws {
        try await withApp { app in
            var project = ProjectDTO(title: "Cantines zéro gaspillage")
            project.stage = .exploration
            project.labs = ["no-such-lab"]
            await #expect(throws: ValidationFailure.self) {
                try await ItemWriter(database: app.db).save(ProjectKind.self, project)
            }
            let checked8 = try await Project.query(on: app.db).count() == 0
            #expect(checked8)
            let checked9 = try await ItemFacet.query(on: app.db).count() == 0
            #expect(checked9)
        }
    }

    @Test func slugsAreGeneratedUniquely() async throws {
        try await withApp { app in
            let writer = ItemWriter(database: app.db)
            var network = NetworkDTO(name: "Réseau des labs")
            let first = try await writer.save(NetworkKind.self, network)
            let second = try await writer.save(NetworkKind.self, network)
            #expect(first.slug == "reseau-des-labs")
            #expect(second.slug == "reseau-des-labs-2")
            network.slug = "reseau-des-labs"
            await #expect(throws: ValidationFailure.self) { try await writer.save(NetworkKind.self, network) }
        }
    }

    @Test func rawHTMLInTextNeverReachesThePage() async throws {
        try await withApp { app in
            var lab = LabDTO(name: "Lab <script>alert(1)</script>")
            lab.objectives = "<img src=x onerror=alert(1)> **objectif** [lien](javascript:alert(1))"
            lab.team = "<iframe src=https://evil.example></iframe>"
            let saved = try await ItemWriter(database: app.db).save(LabKind.self, lab)
            let page = try await app.get("/labs/\(saved.slug)")
            #expect(page.status == .ok)
            #expect(!page.body.contains("<script>alert"))
            #expect(!page.body.contains("<img src=x"))
            #expect(!page.body.contains("<iframe"))
            #expect(!page.body.contains("javascript:"))
            #expect(page.body.contains("<strong>objectif</strong>"))
        }
    }

    @Test func labRegionChangesRefileLinkedItems() async throws {
        try await withApp { app in
            let writer = ItemWriter(database: app.db)
            var lab = LabDTO(name: "Lab Bretagne")
            lab.region = "Bretagne"
            let saved = try await writer.save(LabKind.self, lab)
            var project = ProjectDTO(title: "Projet breton")
            project.stage = .exploration
            project.labs = [saved.slug]
            try await writer.save(ProjectKind.self, project)
            let checked10 = try await app.allItems("projects", query: "region=Bretagne").count == 1
            #expect(checked10)
            lab.region = "Normandie"
            try await writer.save(LabKind.self, lab, existing: saved)
            let checked11 = try await app.allItems("projects", query: "region=Bretagne").isEmpty
            #expect(checked11)
            let checked12 = try await app.allItems("projects", query: "region=Normandie").count == 1
            #expect(checked12)
        }
    }
}

@Suite struct CommandLineTests {
    @Test func labAtlasOptionsAreTakenOutBeforeVapor() throws {
        let options = try LabAtlasCLI.parse(["labatlas", "serve", "--port", "8081", "--data-dir", "/tmp/x", "--demo"])
        #expect(options.vaporArguments == ["labatlas", "serve", "--port", "8081"])
        #expect(options.dataDir == "/tmp/x")
        #expect(options.loadDemo)
        #expect(try LabAtlasCLI.parse(["labatlas", "migrate", "--data-dir=/d"]).dataDir == "/d")
        #expect(throws: LabAtlasCLI.OptionError.self) { try LabAtlasCLI.parse(["labatlas", "serve", "--data-dir"]) }
    }
}
