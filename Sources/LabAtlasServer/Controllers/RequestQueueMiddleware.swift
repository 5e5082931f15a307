import Vapor

/// Lets a few requests run at a time and queues the others, first come first
/// served.
///
/// Run all at once, requests share the processor: under load each one takes
/// as many times its own work as there are requests running, and the heavy
/// ones (a lab page, a list with facets) finish seconds late. Queued in
/// order, each waits for those that came before it and then runs at full
/// speed: the same throughput, and every request's time close to the average.
/// A handful run together so that one waiting on the database leaves the
/// processor to another.
struct RequestQueueMiddleware: AsyncMiddleware {
    let queue: FairQueue

    init(concurrentRequests: Int) {
        queue = FairQueue(permits: concurrentRequests)
    }

    /// `LABATLAS_CONCURRENT_REQUESTS`, or four a core.
    static func concurrentRequests(environment value: String?, cores: Int = System.coreCount) -> Int {
        if let value, let count = Int(value), count > 0 { return count }
        return max(4, 4 * cores)
    }

    /// Reads queue. Writes already queue for the database's write lock, and
    /// some posts wait on other servers (mail) that must not hold a place; the
    /// health check answers at once, even under load.
    static func isQueued(_ request: Request) -> Bool {
        [.GET, .HEAD].contains(request.method) && request.url.path != "/healthz"
    }

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        guard Self.isQueued(request) else { return try await next.respond(to: request) }
        return try await queue.run { try await next.respond(to: request) }
    }
}
