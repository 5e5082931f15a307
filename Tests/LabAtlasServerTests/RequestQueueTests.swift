import Foundation
import Testing
import Vapor
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
}
