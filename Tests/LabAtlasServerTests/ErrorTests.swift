import Foundation
import Testing
import Vapor
@testable import LabAtlasServer

@Suite struct ErrorTests {
    @Test(arguments: [
        ("/labs?page=0", "page"), ("/labs?page=abc", "page"), ("/labs?page=-3", "page"), ("/labs?page=99999999999999999999", "page"),
        ("/labs?maturity=nonsense", "maturity"), ("/projects?stage=finished", "stage"), ("/sessions?level=7", "level"),
        ("/sessions?year=20x4", "year"), ("/labs?network=Not%20A%20Slug", "network"), ("/labs?sort=random", "sort"),
        ("/events?when=tomorrow", "when"),
        ("/api/v1/labs?limit=100000", "limit"), ("/api/v1/labs?limit=0", "limit"), ("/api/v1/labs?limit=abc", "limit"),
        ("/api/v1/labs?cursor=%%%", "cursor"), ("/api/v1/labs?cursor=bm9wZQ", "cursor"), ("/api/v1/labs?maturity=nonsense", "maturity"),
    ])
    func badParametersAre400NamingThem(_ path: String, _ parameter: String) async throws {
        try await withDemoApp { app in
            let response = try await app.get(path)
            #expect(response.status == .badRequest, "\(path) answered \(response.status)")
            #expect(response.body.contains("« \(parameter) »"), "\(path) does not name \(parameter)")
        }
    }

    @Test(arguments: ["/labs/no-such-lab", "/projects/NOPE", "/events/%00", "/api/v1/labs/no-such-lab", "/nowhere", "/labs/a/b/c"])
    func unknownThingsAre404(_ path: String) async throws {
        try await withDemoApp { app in
            let response = try await app.get(path)
            #expect(response.status == .notFound, "\(path) answered \(response.status)")
            if path.hasPrefix("/api/") {
                #expect(response.body.contains("\"status\":404"))
            } else {
                #expect(response.body.contains("Page introuvable"))
            }
        }
    }

    @Test(arguments: ["/labs?theme=%27%3B%20DROP%20TABLE%20labs%3B--", "/labs?region=%F0%9F%98%80", "/labs?&&==&theme",
                      "/labs?page=2&page=x", "/api/v1/labs?cursor=", "/labs?q=%00%01", "/search-nowhere?q=1"])
    func oddInputNeverCausesA500(_ path: String) async throws {
        try await withDemoApp { app in
            let response = try await app.get(path)
            #expect(response.status.code < 500, "\(path) answered \(response.status)")
        }
    }

    @Test func healthzAnswersOk() async throws {
        try await withDemoApp { app in
            let response = try await app.get("/healthz")
            #expect(response.status == .ok)
            #expect(response.body == "ok")
        }
    }
}
