import Fluent
import Foundation
import Testing
import Vapor
@testable import LabAtlasCore
@testable import LabAtlasServer

/// Items of every type at every visibility, each with a unique token in every
/// text field, fetched through every channel by readers at every level: a
/// token must appear exactly where its reader may see it.
///
/// Every new output channel (search, feeds, calendars, exports, reports,
/// maps, similar items, attachments) must be added to `channels` below.
@Suite struct VisibilityCanaryTests {
    struct Canary {
        var type: ItemType
        var visibility: Visibility
        var slug: String
        var token: String
        var contactToken: String?
    }

    /// Who may see a canary, written from DESIGN.md's rules rather than from the implementation.
    ///
    /// Canary networks have no members; a canary lab is its own owner, in network A; every other
    /// canary belongs to lab A1 (network A); methods belong to no lab.
    static func maysee(_ reader: String?, _ canary: Canary) -> Bool {
        if canary.visibility == .public || reader == TestWorld.admin { return true }
        let networkA = [TestWorld.memberNetworkA]
        let labA1 = [TestWorld.memberA1, TestWorld.editorA1]
        let anyNetwork = networkA + labA1 + [TestWorld.memberNetworkB]
        let readers: [String]
        switch (canary.type, canary.visibility) {
        case (.networks, _): readers = []
        case (.labs, .network): readers = networkA
        case (.labs, _): readers = []
        case (.methods, .network): readers = anyNetwork
        case (_, .network): readers = networkA + labA1
        default: readers = labA1
        }
        return readers.contains(reader ?? "")
    }

    /// Contact details: signed-in members of a network of the item's lab (or of the lab), and administrators.
    static func mayseeContact(_ reader: String?, _ canary: Canary) -> Bool {
        let allowed = canary.type == .labs
            ? [TestWorld.admin, TestWorld.memberNetworkA]
            : [TestWorld.admin, TestWorld.memberNetworkA, TestWorld.memberA1, TestWorld.editorA1]
        return allowed.contains(reader ?? "")
    }

    static func makeCanaries(_ world: TestWorld) async throws -> [Canary] {
        let writer = ItemWriter(database: world.app.db)
        var canaries: [Canary] = []
        for visibility in Visibility.allCases {
            func token(_ type: ItemType) -> String { "zq\(type.rawValue.prefix(4))\(visibility.rawValue.prefix(3))canary" }
            let lab = world.labA1.slug
            var labDTO = LabDTO(name: "Lab \(token(.labs))")
            labDTO.visibility = visibility
            labDTO.networks = [world.networkA.slug]
            labDTO.hostOrganisation = token(.labs); labDTO.city = token(.labs); labDTO.team = token(.labs)
            labDTO.highlight = token(.labs); labDTO.objectives = token(.labs); labDTO.themes = [token(.labs)]
            labDTO.services = [token(.labs)]; labDTO.contact = "contact-\(token(.labs))@example.fr"
            let savedLab = try await writer.save(LabKind.self, labDTO)
            canaries.append(Canary(type: .labs, visibility: visibility, slug: savedLab.slug, token: token(.labs),
                                   contactToken: "contact-\(token(.labs))"))

            var project = ProjectDTO(title: "Projet \(token(.projects))")
            project.visibility = visibility; project.labs = [lab]; project.stage = .exploration
            project.summary = token(.projects); project.description = token(.projects); project.organisation = token(.projects)
            project.nextSteps = token(.projects); project.vigilance = token(.projects); project.themes = [token(.projects)]
            project.team = [TeamMember(name: token(.projects), role: .porteur)]
            project.achievements = [Achievement(year: 2025, text: token(.projects))]
            let savedProject = try await writer.save(ProjectKind.self, project)
            canaries.append(Canary(type: .projects, visibility: visibility, slug: savedProject.slug, token: token(.projects)))

            var experience = ExperienceDTO(title: "Retour \(token(.experiences))")
            experience.visibility = visibility; experience.lab = lab
            experience.description = token(.experiences); experience.wentWell = token(.experiences)
            experience.wentBadly = token(.experiences); experience.advice = token(.experiences)
            experience.pilot = token(.experiences); experience.audiencesOther = token(.experiences)
            experience.pilotContact = "pilote-\(token(.experiences))@example.fr"; experience.themes = [token(.experiences)]
            let savedExperience = try await writer.save(ExperienceKind.self, experience)
            canaries.append(Canary(type: .experiences, visibility: visibility, slug: savedExperience.slug, token: token(.experiences),
                                   contactToken: "pilote-\(token(.experiences))"))

            var method = MethodDTO(name: "Méthode \(token(.methods))")
            method.visibility = visibility; method.category = .ideation
            method.description = token(.methods); method.groupSize = token(.methods); method.materials = token(.methods)
            method.themes = [token(.methods)]
            let savedMethod = try await writer.save(MethodKind.self, method)
            canaries.append(Canary(type: .methods, visibility: visibility, slug: savedMethod.slug, token: token(.methods)))

            var session = SessionDTO(title: "Session \(token(.sessions))")
            session.visibility = visibility; session.lab = lab; session.date = CalendarDate("2026-03-12")
            session.outcome = token(.sessions); session.retrospective = token(.sessions); session.themes = [token(.sessions)]
            let savedSession = try await writer.save(SessionKind.self, session)
            canaries.append(Canary(type: .sessions, visibility: visibility, slug: savedSession.slug, token: token(.sessions)))

            var event = EventDTO(title: "Événement \(token(.events))")
            event.visibility = visibility; event.labs = [lab]
            let begin = Date().addingTimeInterval(30 * 86_400)
            event.timings = [Timing(begin: begin, end: begin.addingTimeInterval(7200))]
            event.description = token(.events); event.keywords = [token(.events)]; event.themes = [token(.events)]
            event.place = Place(name: token(.events), address: token(.events), city: token(.events))
            let savedEvent = try await writer.save(EventKind.self, event)
            canaries.append(Canary(type: .events, visibility: visibility, slug: savedEvent.slug, token: token(.events)))

            var network = NetworkDTO(name: "Réseau \(token(.networks))")
            network.visibility = visibility; network.description = token(.networks); network.themes = [token(.networks)]
            let savedNetwork = try await writer.save(NetworkKind.self, network)
            canaries.append(Canary(type: .networks, visibility: visibility, slug: savedNetwork.slug, token: token(.networks)))
        }
        // A visible session that uses every method: a hidden method must not leak through it.
        var session = SessionDTO(title: "Session publique avec méthodes")
        session.lab = world.labA1.slug
        session.date = CalendarDate("2026-04-01")
        session.methods = canaries.filter { $0.type == .methods }.map(\.slug)
        try await writer.save(SessionKind.self, session)
        return canaries
    }

    /// Every channel a reader can use, as (path, response body).
    static func channels(_ browser: inout TestBrowser, canaries: [Canary]) async throws -> [(String, String)] {
        var pages: [(String, String)] = []
        func fetch(_ path: String, echoing query: String? = nil) async throws {
            var body = try await browser.get(path).body
            // A search page repeats what was typed (heading, box, links): that is not a leak.
            if let query {
                for echo in ["q=\(query)", "« \(query) »", "value=\"\(query)\""] {
                    body = body.replacingOccurrences(of: echo, with: "")
                }
            }
            pages.append((path, body))
        }
        try await fetch("/")
        for type in ItemType.allCases {
            try await fetch("/\(type.rawValue)")
            try await fetch("/api/v1/\(type.rawValue)?limit=100")
        }
        try await fetch("/labs?region=Bretagne")
        try await fetch("/projects?lab=lab-a1")
        try await fetch("/sessions?lab=lab-a1")
        try await fetch("/events?when=upcoming")
        for canary in canaries {
            try await fetch("/\(canary.type.rawValue)/\(canary.slug)")
            try await fetch("/api/v1/\(canary.type.rawValue)/\(canary.slug)")
            try await fetch("/\(canary.type.rawValue)/\(canary.slug)/history")
            try await fetch("/\(canary.type.rawValue)/\(canary.slug)/history?from=1&to=1")
        }
        for page in ["/labs/lab-a1", "/networks/reseau-a", "/account"] { try await fetch(page) }
        // Search: each token, by type, by prefix (every canary at once, both pages),
        // and misspelt, so a suggestion never names what the reader may not see.
        for canary in canaries {
            try await fetch("/search?q=\(canary.token)", echoing: canary.token)
            try await fetch("/api/v1/search?q=\(canary.token)", echoing: canary.token)
            try await fetch("/search?q=\(canary.token)&type=\(canary.type.rawValue)", echoing: canary.token)
            try await fetch("/search?q=\(canary.token.dropLast())x")
            try await fetch("/api/v1/search?q=\(canary.token.dropLast())x")
        }
        for page in 1...2 {
            try await fetch("/search?q=zq*&page=\(page)")
            try await fetch("/api/v1/search?q=zq*&page=\(page)")
        }
        return pages
    }

    @Test(arguments: [nil, TestWorld.outsider, TestWorld.memberNetworkB, TestWorld.memberNetworkA, TestWorld.memberA1,
                      TestWorld.editorA1, TestWorld.admin])
    func tokensAppearExactlyWhereTheReaderMaySeeThem(_ reader: String?) async throws {
        try await withApp { app in
            let world = try await TestWorld.make(app)
            let canaries = try await Self.makeCanaries(world)
            // A visitor goes first: the pages kept for visitors (`VisitorPageCache`)
            // must never reach a signed-in reader, nor theirs a visitor.
            var visitor = TestBrowser(app)
            let visitorsPages = try await Self.channels(&visitor, canaries: canaries)
            var browser = TestBrowser(app)
            if let reader {
                try await browser.signIn(reader)
                // The API authenticates with bearer tokens, pages with the session cookie: both are checked.
                browser.bearer = try await world.token(for: reader)
            }
            let pages = try await Self.channels(&browser, canaries: canaries)
                + (reader == nil ? visitorsPages.map { ("\($0.0) (first view)", $0.1) } : [])
            for canary in canaries {
                let seenOn = pages.filter { $0.1.contains(canary.token) }.map(\.0)
                if Self.maysee(reader, canary) {
                    #expect(seenOn.contains("/\(canary.type.rawValue)/\(canary.slug)"), "\(reader ?? "anonymous") should see \(canary.token) on its page")
                    #expect(seenOn.contains("/api/v1/\(canary.type.rawValue)/\(canary.slug)"), "\(reader ?? "anonymous") should see \(canary.token) in the API")
                } else {
                    #expect(seenOn.isEmpty, "\(reader ?? "anonymous") must not see \(canary.token), found on \(seenOn)")
                }
                if let contact = canary.contactToken {
                    let contactOn = pages.filter { $0.1.contains(contact) }.map(\.0)
                    if !(Self.maysee(reader, canary) && Self.mayseeContact(reader, canary)) {
                        #expect(contactOn.isEmpty, "\(reader ?? "anonymous") must not see \(contact), found on \(contactOn)")
                    } else {
                        #expect(!contactOn.isEmpty, "\(reader ?? "anonymous") should see \(contact)")
                    }
                }
            }
            // Search counts only what the reader may see.
            let search = try await browser.get("/api/v1/search?q=zq*")
            let total = try JSONDecoder().decode(SearchTotal.self, from: Data(search.body.utf8)).total
            #expect(total == canaries.filter { Self.maysee(reader, $0) }.count, "\(reader ?? "anonymous") search total")
            // Counts: list totals and facet counts only count what the reader may see.
            for type in ItemType.allCases {
                let visible = canaries.filter { $0.type == type && Self.maysee(reader, $0) }.count
                let extra = type == .labs ? 3 : type == .networks ? 2 : type == .sessions ? 1 : 0
                let list = try await browser.get("/\(type.rawValue)")
                #expect(list.body.contains(French.count(visible + extra, "résultat", "résultats")),
                        "\(reader ?? "anonymous") /\(type.rawValue) should count \(visible + extra)")
            }
        }
    }
}

private struct SearchTotal: Decodable { var total: Int }
