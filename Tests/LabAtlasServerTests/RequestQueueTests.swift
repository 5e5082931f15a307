import Foundation
import Synchronization
import Testing
import Vapor
import VaporTesting
import Fluent
import SQLKit
@testable import LabAtlasServer

@Suite struct RequestQueueTests {
    actor Gauge {
        private(set) var running = 0
        private(set) var most = 0
        private(set) var finished = 0
        func enter() { running += 1; most = max(most, running) }
        func leave() { running -= 1; finished += 1 }
    }

    @Test func noMoreThanThePermitsRunAtOnce() async throws {
        let queue = FairQueue(permits: 3)
        let gauge = Gauge()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<20 {
                group.addTask {
                    try await queue.run {
                        await gauge.enter()
                        try await Task.sleep(for: .milliseconds(5))
                        await gauge.leave()
                    }
                }
            }
            try await group.waitForAll()
        }
        #expect(await gauge.most == 3)
        #expect(await gauge.finished == 20)
    }

    struct Failure: Error {}

    /// A request that fails gives its place back.
    @Test func aFailureReleasesItsPermit() async throws {
        let queue = FairQueue(permits: 1)
        await #expect(throws: Failure.self) { try await queue.run { throw Failure() } }
        #expect(try await queue.run { 42 } == 42)
    }

    final class Arrivals: Sendable {
        private let order = Mutex<[Int]>([])
        func add(_ number: Int) { order.withLock { $0.append(number) } }
        var all: [Int] { order.withLock { $0 } }
    }

    /// Waiters are served in the order they came.
    @Test func waitersAreServedFirstComeFirstServed() async throws {
        let queue = FairQueue(permits: 1)
        let arrivals = Arrivals()
        await queue.acquire()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for waiter in 1...5 {
                group.addTask { try await queue.run { arrivals.add(waiter) } }
                while queue.waitingCount < waiter { try await Task.sleep(for: .milliseconds(1)) }
            }
            queue.release()
            try await group.waitForAll()
        }
        #expect(arrivals.all == [1, 2, 3, 4, 5])
        #expect(queue.tryAcquire())
    }

    /// Reads queue; writes and posts (which may wait on a mail server) do not,
    /// nor does the health check.
    @Test func readsQueueWritesDoNot() async throws {
        try await withApp { app in
            func request(_ method: HTTPMethod, _ path: String) -> Request {
                Request(application: app, method: method, url: URI(string: path), on: app.eventLoopGroup.next())
            }
            #expect(RequestQueueMiddleware.isQueued(request(.GET, "/labs?region=Bretagne")))
            #expect(RequestQueueMiddleware.isQueued(request(.HEAD, "/")))
            #expect(!RequestQueueMiddleware.isQueued(request(.GET, "/healthz")))
            #expect(!RequestQueueMiddleware.isQueued(request(.POST, "/password/forgot")))
            #expect(!RequestQueueMiddleware.isQueued(request(.PUT, "/api/v1/labs/lab-a")))
        }
    }

    /// Answers once the test opens its gate.
    struct GatedResponder: AsyncResponder {
        let gate: FairQueue
        func respond(to request: Request) async throws -> Response {
            await gate.acquire()
            gate.release()
            return Response(status: .ok)
        }
    }

    /// Beyond its length, the queue refuses a read at once (503 with
    /// `Retry-After`) instead of queueing it; writes are never refused by it,
    /// and those already queued are served.
    @Test func aFullQueueRefusesAtOnce() async throws {
        try await withApp { app in
            let middleware = RequestQueueMiddleware(queue: FairQueue(permits: 1), waitingLimit: 1)
            let gate = FairQueue(permits: 1)
            await gate.acquire()
            let responder = GatedResponder(gate: gate)
            func request(_ method: HTTPMethod = .GET) -> Request {
                Request(application: app, method: method, url: URI(string: "/labs"), on: app.eventLoopGroup.next())
            }
            let running = Task { try await middleware.respond(to: request(), chainingTo: responder) }
            while gate.waitingCount < 1 { try await Task.sleep(for: .milliseconds(1)) }
            let queued = Task { try await middleware.respond(to: request(), chainingTo: responder) }
            while middleware.queue.waitingCount < 1 { try await Task.sleep(for: .milliseconds(1)) }

            do {
                _ = try await middleware.respond(to: request(), chainingTo: responder)
                Issue.record("a read beyond the queue's length was queued")
            } catch let abort as Abort {
                #expect(abort.status == .serviceUnavailable)
                #expect(abort.headers.first(name: "Retry-After") == "5")
                #expect(abort.reason.contains("Réessayez"))
            }
            let write = Task { try await middleware.respond(to: request(.POST), chainingTo: responder) }
            while gate.waitingCount < 2 { try await Task.sleep(for: .milliseconds(1)) }

            gate.release()
            #expect(try await running.value.status == .ok)
            #expect(try await queued.value.status == .ok)
            #expect(try await write.value.status == .ok)
        }
    }

    /// A refusal reaches the reader as a French page, or JSON under /api,
    /// with its `Retry-After`.
    @Test func aRefusalSaysWhenToComeBack() async throws {
        try await withApp { app in
            let refusal = Abort(.serviceUnavailable, headers: ["Retry-After": "5"], reason: "Réessayez dans quelques secondes.")
            app.get("occupe") { _ -> String in throw refusal }
            app.get("api", "v1", "occupe") { _ -> String in throw refusal }
            let page = try await app.get("/occupe")
            #expect(page.status == .serviceUnavailable)
            #expect(page.headers.first(name: "Retry-After") == "5")
            #expect(page.body.contains("Service momentanément indisponible"))
            #expect(page.body.contains("Réessayez dans quelques secondes."))
            let json = try await app.get("/api/v1/occupe")
            #expect(json.status == .serviceUnavailable)
            #expect(json.headers.first(name: "Retry-After") == "5")
            #expect(json.body.contains("\"status\":503"))
        }
    }

    @Test func theQueueLengthFallsBackToThirtyTwoARunningRequest() {
        #expect(RequestQueueMiddleware.waitingLimit(environment: nil, concurrentRequests: 8) == 256)
        #expect(RequestQueueMiddleware.waitingLimit(environment: "40", concurrentRequests: 8) == 40)
        #expect(RequestQueueMiddleware.waitingLimit(environment: "-3", concurrentRequests: 8) == 256)
        #expect(RequestQueueMiddleware.waitingLimit(environment: "beaucoup", concurrentRequests: 4) == 128)
    }

    @Test func theSettingFallsBackToFourACore() {
        #expect(RequestQueueMiddleware.concurrentRequests(environment: nil, cores: 2) == 8)
        #expect(RequestQueueMiddleware.concurrentRequests(environment: "12", cores: 2) == 12)
        #expect(RequestQueueMiddleware.concurrentRequests(environment: "0", cores: 2) == 8)
        #expect(RequestQueueMiddleware.concurrentRequests(environment: "beaucoup", cores: 2) == 8)
        #expect(RequestQueueMiddleware.concurrentRequests(environment: nil, cores: 1) == 4)
    }

    /// Stopping waits for the requests under way: one that reaches the
    /// database after it is asked to stop still gets its answer, where it
    /// used to find the databases closed and bring the process down.
    @Test func stoppingLetsRequestsUnderWayFinish() async throws {
        let app = try await Application.make(.testing)
        app.logger.logLevel = .warning
        try await configure(app, storage: testStorage())
        try await app.autoMigrate()
        app.get("slow") { req async throws -> String in
            try await Task.sleep(for: .milliseconds(300))
            let row = try await req.db.sql.raw("SELECT 7 AS n").first()
            return String(try row?.decode(column: "n", as: Int.self) ?? 0)
        }
        let answer = Task { try await app.testing().sendRequest(.GET, "/slow") }
        // Stopping begins once the request is under way, however slowly a busy machine starts it.
        let clock = ContinuousClock(), deadline = clock.now.advanced(by: .seconds(10))
        while app.requestsInFlight.current == 0, clock.now < deadline { try await Task.sleep(for: .milliseconds(5)) }
        #expect(app.requestsInFlight.current == 1)
        try await app.asyncShutdown()
        let response = try await answer.value
        #expect(response.status == .ok)
        #expect(response.body.string == "7")
    }

    /// Background writes run after the caller has gone on, no more than their
    /// limit wait at once, and a failed one is dropped without harm.
    @Test func backgroundWritesAreBounded() async throws {
        let writes = BackgroundWrites(limit: 2)
        let gate = FairQueue(permits: 1)
        await gate.acquire()
        let done = Mutex(0)
        for _ in 0..<2 {
            #expect(writes.start { await gate.acquire(); gate.release(); done.withLock { $0 += 1 } })
        }
        #expect(!writes.start { done.withLock { $0 += 100 } }, "a third waits beyond the limit")
        #expect(!(await writes.drained(within: .milliseconds(50))))
        #expect(writes.current == 2)
        gate.release()
        #expect(await writes.drained(within: .seconds(5)))
        #expect(done.withLock { $0 } == 2)

        struct Refused: Error {}
        #expect(writes.start { throw Refused() })
        #expect(await writes.drained(within: .seconds(5)))
        #expect(writes.start { done.withLock { $0 += 1 } })
        #expect(await writes.drained(within: .seconds(5)))
        #expect(done.withLock { $0 } == 3)
    }

    @Test func drainingWaitsUpToItsBound() async {
        let requests = RequestsInFlight()
        #expect(await requests.drained(within: .milliseconds(10)))
        requests.begin()
        #expect(!(await requests.drained(within: .milliseconds(50))))
        Task { try? await Task.sleep(for: .milliseconds(50)); requests.end() }
        #expect(await requests.drained(within: .seconds(5)))
    }
}
