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
///
/// The queue has a length: beyond it, a request is refused at once (503, with
/// `Retry-After`) rather than queued behind more than the server can serve in
/// a few seconds. An overloaded server otherwise keeps every connection and
/// answers all of them later and later, long after their readers have given up.
struct RequestQueueMiddleware: AsyncMiddleware {
    let queue: FairQueue
    let waitingLimit: Int

    /// `queue` has a permit for each request that may run at once (`concurrentRequests`).
    init(queue: FairQueue, waitingLimit: Int) {
        self.queue = queue
        self.waitingLimit = waitingLimit
    }

    /// `LABATLAS_CONCURRENT_REQUESTS`, or four a core.
    static func concurrentRequests(environment value: String?, cores: Int = System.coreCount) -> Int {
        if let value, let count = Int(value), count > 0 { return count }
        return max(4, 4 * cores)
    }

    /// `LABATLAS_QUEUE_LIMIT`, or 32 waiting for each request that may run:
    /// at a few milliseconds a request, a second or two of waiting.
    static func waitingLimit(environment value: String?, concurrentRequests: Int) -> Int {
        if let value, let count = Int(value), count > 0 { return count }
        return 32 * concurrentRequests
    }

    /// Seconds a refused client is asked to wait before trying again.
    static let retryAfterSeconds = 5

    /// Reads queue. Writes already queue for the database's write lock, and
    /// some posts wait on other servers (mail) that must not hold a place; the
    /// health check answers at once, even under load.
    static func isQueued(_ request: Request) -> Bool {
        [.GET, .HEAD].contains(request.method) && request.url.path != "/healthz"
    }

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        guard Self.isQueued(request) else { return try await next.respond(to: request) }
        // Read without the lock held through the acquisition: a few may pass the limit at once, never many.
        guard queue.waitingCount < waitingLimit else {
            throw Abort(.serviceUnavailable, headers: ["Retry-After": String(Self.retryAfterSeconds)],
                        reason: "LabAtlas reçoit en ce moment plus de demandes qu'il ne peut en traiter. Réessayez dans quelques secondes.")
        }
        return try await queue.run { try await next.respond(to: request) }
    }
}
