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
