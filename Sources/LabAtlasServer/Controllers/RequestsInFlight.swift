import Synchronization
import Vapor

/// The requests under way, counted so that stopping waits for them.
///
/// When the server stops, a request whose client has gone may still be
/// queued or running (`RequestQueueMiddleware`): the listener closes, then
/// the application shuts down its databases, and a request that reached its
/// database after that would bring the process down instead of ending.
/// Stopping therefore waits, up to a bound, until none is left.
final class RequestsInFlight: Sendable {
    private let count = Atomic<Int>(0)

    var current: Int { count.load(ordering: .acquiring) }

    func begin() { count.wrappingAdd(1, ordering: .acquiringAndReleasing) }
    func end() { count.wrappingSubtract(1, ordering: .acquiringAndReleasing) }

    /// Waits until no request is under way, or `limit` has passed; true when none is left.
    func drained(within limit: Duration) async -> Bool {
        await waitUntil({ self.current == 0 }, within: limit)
    }
}

/// Waits until `condition` holds, or `limit` has passed; true when it holds.
func waitUntil(_ condition: () -> Bool, within limit: Duration) async -> Bool {
    let clock = ContinuousClock()
    let deadline = clock.now.advanced(by: limit)
    while !condition() {
        guard clock.now < deadline else { return false }
        try? await Task.sleep(for: .milliseconds(10))
    }
    return true
}

/// Counts every request in and out; first in the chain.
struct RequestsInFlightMiddleware: AsyncMiddleware {
    let requests: RequestsInFlight

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        requests.begin()
        defer { requests.end() }
        return try await next.respond(to: request)
    }
}

/// Stopping waits for the requests under way, then for the writes they
/// handed over (`BackgroundWrites`), before the databases close.
struct DrainRequestsOnShutdown: LifecycleHandler {
    let requests: RequestsInFlight
    let backgroundWrites: BackgroundWrites
    var limit: Duration = .seconds(30)

    func shutdownAsync(_ application: Application) async {
        let left = requests.current
        if left > 0 {
            if await requests.drained(within: limit) {
                application.logger.notice("Stopping: \(left) requests under way were let finish.")
            } else {
                application.logger.warning("Stopping: \(requests.current) requests still under way after \(limit).")
            }
        }
        if !(await backgroundWrites.drained(within: limit)) {
            application.logger.warning("Stopping: \(backgroundWrites.current) background writes still pending after \(limit).")
        }
    }
}

extension Application {
    private struct RequestsInFlightKey: StorageKey {
        typealias Value = RequestsInFlight
    }

    /// The requests under way, as the middleware counts them.
    var requestsInFlight: RequestsInFlight {
        get { storage[RequestsInFlightKey.self] ?? RequestsInFlight() }
        set { storage[RequestsInFlightKey.self] = newValue }
    }
}
