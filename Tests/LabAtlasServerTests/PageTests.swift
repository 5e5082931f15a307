import Foundation
import Testing
import Vapor
@testable import LabAtlasServer
import LabAtlasCore

@Suite struct PageTests {
    static let types = ["labs", "projects", "experiences", "sessions", "events", "methods", "networks"]

    @Test func homeShowsFiguresAndLatestItems() async throws {
        try await withDemoApp { app in
            let home = try await app.get("/")
            #expect(home.status == .ok)
            #expect(home.body.contains("<html lang=\"fr\">"))
            #expect(home.body.contains("Chiffres clés"))
            #expect(home.body.contains("labs d'innovation publique"))
            #expect(home.body.contains("Prochains événements"))
            #expect(home.headers.first(name: "Content-Security-Policy")?.contains("frame-ancestors 'none'") == true)
        }
    }

    @Test(arguments: types) func everyListPageAnswers(_ type: String) async throws {
        try await withDemoApp { app in
            let page = try await app.get("/\(type)")
            #expect(page.status == .ok)
            #expect(page.body.components(separatedBy: "<h1").count == 2, "one h1 on /\(type)")
            #expect(page.body.contains("class=\"card\""))
        }
    }

    /// Cards show the parts they hold (kicker, badges, facts, excerpt) and no
    /// empty element for the others; facet counts are written out in French.
    @Test func cardsShowWhatTheyHoldAndNothingEmpty() async throws {
        try await withDemoApp { app in
            let labs = try await app.get("/labs")
            for part in ["card-kicker", "badges", "card-meta", "card-excerpt"] {
                #expect(labs.body.contains("<p class=\"\(part)\">"), "a lab card shows its \(part)")
            }
            for path in ["/", "/labs", "/projects", "/experiences", "/sessions", "/events", "/methods", "/networks", "/search?q=atelier"] {
                let page = try await app.get(path)
                #expect(page.status == .ok)
                let empty = try NSRegularExpression(pattern: #"<(p|ul|ol|dd)( [^>]*)?>\s*</\1>"#)
                let html = page.body
                #expect(empty.firstMatch(in: html, range: NSRange(html.startIndex..., in: html)) == nil, "an empty element on \(path)")
            }
        }
        let stage = try #require(FacetCatalog.facets(for: .projects).first { $0.name == "stage" })
        let options = ListPageBuilder.options(for: stage, counts: ["exploration": 12_345, "prototyping": 7],
                                              labels: ["exploration": "Exploration", "prototyping": "Prototypage"], selected: nil) { _ in "/" }
        #expect(options.map(\.count) == ["12\u{202F}345", "7"])
    }

    /// An open facet (thousands of labs) lists its most frequent values, not all of them.
    @Test func anOpenFacetShowsItsMostFrequentValues() throws {
        let lab = try #require(FacetCatalog.facets(for: .projects).first { $0.name == "lab" })
        let counts = Dictionary(uniqueKeysWithValues: (1...100).map { ("lab-\($0)", $0) })
        let shown = ListPageBuilder.mostFrequent(counts, of: lab)
        #expect(shown.count == ListPageBuilder.shownValues)
        #expect(shown.keys.contains("lab-100") && !shown.keys.contains("lab-1"))
        let stage = try #require(FacetCatalog.facets(for: .projects).first { $0.name == "stage" })
        let stages = Dictionary(uniqueKeysWithValues: Stage.allCases.map { ($0.rawValue, 1) })
        #expect(ListPageBuilder.mostFrequent(stages, of: stage) == stages)
    }

    /// A page number past the last, typed by hand, used to stop the server.
    @Test(arguments: types) func aPagePastTheLastAnswers(_ type: String) async throws {
        try await withDemoApp { app in
            for number in [3, 9, 50, 100_000] {
                let page = try await app.get("/\(type)?page=\(number)")
                #expect(page.status == .ok || page.status == .notFound, "/\(type)?page=\(number) answered \(page.status)")
            }
            let search = try await app.get("/search?q=atelier&page=500")
            #expect(search.status == .ok || search.status == .notFound)
        }
    }

    @Test(arguments: types) func everyDetailPageAnswersAndLinksAreLive(_ type: String) async throws {
        try await withDemoApp { app in
            let items = try await app.allItems(type)
            #expect(!items.isEmpty)
            for item in items.prefix(12) {
                let slug = try #require(item["slug"] as? String)
                let page = try await app.get("/\(type)/\(slug)")
                #expect(page.status == .ok, "/\(type)/\(slug)")
                #expect(page.body.components(separatedBy: "<h1").count == 2)
                // Every internal item link on the page leads somewhere.
                for link in Self.itemLinks(in: page.body).prefix(8) {
                    let checked1 = try await app.get(link).status == .ok
                    #expect(checked1, "\(link) linked from /\(type)/\(slug)")
                }
            }
        }
    }

    @Test func aLabPageLinksItsProjectsSessionsEventsAndNetworks() async throws {
        try await withDemoApp { app in
            let page = try await app.get("/labs/lab-educ-lyon")
            #expect(page.status == .ok)
            for heading in ["Projets accompagnés", "Sessions de travail", "Réseaux"] {
                #expect(page.body.contains(heading), "missing \(heading)")
            }
            #expect(page.body.contains("/networks/reseau-labs-academiques"))
            let projects = try await app.allItems("projects", query: "lab=lab-educ-lyon")
            for project in projects {
                #expect(page.body.contains("/projects/\(project["slug"] as? String ?? "")"))
            }
        }
    }

    @Test func aProjectPageShowsItsTimelineAndDecisions() async throws {
        try await withDemoApp { app in
            let projects = try await app.allItems("projects")
            let withDecisions = try #require(projects.first { ($0["decisions"] as? [Any])?.isEmpty == false
                && (($0["stage_history"] as? [Any])?.count ?? 0) > 1 })
            let page = try await app.get("/projects/\(withDecisions["slug"] as? String ?? "")")
            #expect(page.body.contains("Historique des phases"))
            #expect(page.body.contains("class=\"timeline\""))
            #expect(page.body.contains("Décisions des comités"))
            #expect(page.body.contains("phase actuelle"))
        }
    }

    @Test func markdownFieldsRenderAsHTML() async throws {
        try await withDemoApp { app in
            let labs = try await app.allItems("labs")
            let lab = try #require(labs.first { ($0["objectives"] as? String)?.contains("- ") == true })
            let page = try await app.get("/labs/\(lab["slug"] as? String ?? "")")
            #expect(page.body.contains("<li>"))
        }
    }

    /// `/type/slug` links found in a page.
    static func itemLinks(in html: String) -> [String] {
        let pattern = #"href="(/(?:labs|projects|experiences|sessions|events|methods|networks)/[a-z0-9-]+)""#
        let regex = try! NSRegularExpression(pattern: pattern)
        let range = NSRange(html.startIndex..., in: html)
        var seen = Set<String>()
        return regex.matches(in: html, range: range).compactMap { match in
            Range(match.range(at: 1), in: html).map { String(html[$0]) }
        }.filter { seen.insert($0).inserted }
    }
}
