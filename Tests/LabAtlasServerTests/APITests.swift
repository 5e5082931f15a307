import Foundation
import Testing
import Vapor
@testable import LabAtlasServer

@Suite struct APITests {
    @Test(arguments: PageTests.types) func cursorsWalkEveryItemOnce(_ type: String) async throws {
        try await withDemoApp { app in
            let items = try await app.allItems(type)
            let slugs = items.compactMap { $0["slug"] as? String }
            #expect(slugs.count == items.count)
            #expect(Set(slugs).count == slugs.count, "a slug came twice")
            #expect(slugs == slugs.sorted())
            let page = try await app.get("/\(type)")
            #expect(page.body.contains(French.count(items.count, "résultat", "résultats")), "/\(type) total disagrees with the API")
        }
    }

    @Test func demoHasTheAnnouncedVolume() async throws {
        try await withDemoApp { app in
            // Anonymous readers see public items only: the demo has more.
            let checked1 = try await app.allItems("labs").count >= 12
            #expect(checked1)
            let checked2 = try await app.allItems("projects").count >= 30
            #expect(checked2)
            let checked3 = try await app.allItems("sessions").count >= 60
            #expect(checked3)
            let checked4 = try await app.allItems("events").count >= 20
            #expect(checked4)
        }
    }

    @Test func itemFieldsFollowTheContract() async throws {
        try await withDemoApp { app in
            let lab = try await app.getJSON("/api/v1/labs/lab-educ-lyon")
            for key in ["slug", "visibility", "created_at", "updated_at", "themes", "extra", "name", "host_organisation",
                        "government_level", "region", "city", "latitude", "longitude", "maturity", "launch_date", "team",
                        "services", "website", "networks"] {
                #expect(lab[key] != nil, "lab lacks \(key)")
            }
            #expect(lab["networks"] as? [String] == ["reseau-labs-academiques"])
            let project = try #require(try await app.allItems("projects").first)
            for key in ["title", "summary", "labs", "stage", "stage_history", "decisions"] {
                #expect(project[key] != nil, "project lacks \(key)")
            }
            let event = try #require(try await app.allItems("events").first)
            let timing = try #require((event["timings"] as? [[String: Any]])?.first)
            let begin = try #require(timing["begin"] as? String)
            #expect(begin.hasSuffix("+01:00") || begin.hasSuffix("+02:00"))
            let network = try await app.getJSON("/api/v1/networks/reseau-labs-academiques")
            #expect((network["labs"] as? [String])?.contains("lab-educ-lyon") == true)
        }
    }

    @Test func detailCarriesAnETag() async throws {
        try await withDemoApp { app in
            let response = try await app.get("/api/v1/labs/lab-educ-lyon")
            #expect(response.headers.first(name: .eTag) == "\"1\"")
        }
    }

    @Test func filtersAgreeWithFacetCounts() async throws {
        try await withDemoApp { app in
            for (type, facet) in [("labs", "maturity"), ("labs", "region"), ("labs", "network"), ("projects", "stage"),
                                  ("sessions", "nature"), ("sessions", "level"), ("sessions", "year"), ("events", "status"),
                                  ("methods", "category"), ("experiences", "theme")] {
                let page = try await app.get("/\(type)")
                let counts = FacetLinks.counts(in: page.body, facet: facet)
                #expect(!counts.isEmpty, "no \(facet) facet on /\(type)")
                for (value, count) in counts {
                    let query = "\(facet)=\(value.addingPercentEncoding(withAllowedCharacters: .urlQueryValueAllowed) ?? value)"
                    let items = try await app.allItems(type, query: query)
                    #expect(items.count == count, "\(type)?\(query): facet says \(count), API gives \(items.count)")
                    let filtered = try await app.get("/\(type)?\(query)")
                    #expect(filtered.body.contains(French.count(count, "résultat", "résultats")))
                }
            }
        }
    }

    @Test func combinedFiltersNarrow() async throws {
        try await withDemoApp { app in
            let active = try await app.allItems("labs", query: "maturity=active")
            let activeAcademies = try await app.allItems("labs", query: "maturity=active&government_level=academie")
            #expect(!activeAcademies.isEmpty && activeAcademies.count < active.count)
            #expect(activeAcademies.allSatisfy { $0["maturity"] as? String == "active" && $0["government_level"] as? String == "academie" })
        }
    }
}

/// Reads facet links (`href="/type?facet=value"` … `(N)`) out of a list page.
enum FacetLinks {
    static func counts(in html: String, facet: String) -> [String: Int] {
        let pattern = #"href="/[a-z]+\?"# + facet + #"=([^"&]+)"[^>]*>(?:<span class="visually-hidden">[^<]*</span>)?[^<]*<span class="count">\(([\d\x{202F}]+)\)</span>"#
        guard let regex = try? NSRegularExpression(pattern: pattern) else { return [:] }
        var result: [String: Int] = [:]
        for match in regex.matches(in: html, range: NSRange(html.startIndex..., in: html)) {
            guard let valueRange = Range(match.range(at: 1), in: html), let countRange = Range(match.range(at: 2), in: html) else { continue }
            let value = String(html[valueRange]).removingPercentEncoding ?? String(html[valueRange])
            // Counts are written out in French: "1 234", with a narrow no-break space.
            result[value] = Int(html[countRange].filter(\.isNumber))
        }
        return result
    }
}
