import Synchronization
import Testing
import Vapor
@testable import LabAtlasServer

@Suite struct AsyncMiddlewareChainTests {
    final class Trace: Sendable {
        private let steps = Mutex<[String]>([])
        func add(_ step: String) { steps.withLock { $0.append(step) } }
        var all: [String] { steps.withLock { $0 } }
    }

    struct Recording: AsyncMiddleware {
        let name: String
        let trace: Trace
        func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
            trace.add("in \(name)")
            do {
                let response = try await next.respond(to: request)
                trace.add("out \(name)")
                return response
            } catch {
                trace.add("caught by \(name)")
                throw error
            }
        }
    }

    struct Refusal: Error {}

    private func respond(_ chain: AsyncMiddlewareChain, app: Application,
                         handler: @escaping @Sendable (Request) async throws -> Response) async throws -> Response {
        let request = Request(application: app, method: .GET, url: URI(string: "/"), on: app.eventLoopGroup.next())
        return try await chain.respond(to: request, chainingTo: AsyncBasicResponder(closure: handler))
    }

    /// The middlewares run in the order given, each around the next, as they did
    /// one by one in the application's chain; an error goes back through each.
    @Test func runsEachAroundTheNextInOrder() async throws {
        let app = try await Application.make(.testing)
        let trace = Trace()
        let chain = AsyncMiddlewareChain(["A", "B", "C"].map { Recording(name: $0, trace: trace) })
        let response = try await respond(chain, app: app) { _ in
            trace.add("handler")
            return Response(status: .accepted)
        }
        #expect(response.status == .accepted)
        #expect(trace.all == ["in A", "in B", "in C", "handler", "out C", "out B", "out A"])

        let failed = Trace()
        let failing = AsyncMiddlewareChain(["A", "B"].map { Recording(name: $0, trace: failed) })
        await #expect(throws: Refusal.self) {
            _ = try await respond(failing, app: app) { _ in throw Refusal() }
        }
        #expect(failed.all == ["in A", "in B", "caught by B", "caught by A"])

        let empty = try await respond(AsyncMiddlewareChain([]), app: app) { _ in Response(status: .noContent) }
        #expect(empty.status == .noContent)
        try await app.asyncShutdown()
    }
}
