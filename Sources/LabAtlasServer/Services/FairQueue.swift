/// At most `permits` holders at a time; the others wait their turn, first
/// come first served.
actor FairQueue {
    private let permits: Int
    private var holders = 0
    private var waiting: [CheckedContinuation<Void, Never>] = []

    init(permits: Int) {
        precondition(permits > 0, "a queue needs at least one permit")
        self.permits = permits
    }

    func acquire() async {
        guard holders >= permits else {
            holders += 1
            return
        }
        await withCheckedContinuation { waiting.append($0) }
    }

    /// Takes a permit only if one is free and nobody waits for it.
    func tryAcquire() -> Bool {
        guard holders < permits else { return false }
        holders += 1
        return true
    }

    /// Hands the permit to the longest waiter, if any.
    func release() {
        if waiting.isEmpty {
            holders -= 1
        } else {
            waiting.removeFirst().resume()
        }
    }

    /// Runs `body` holding a permit if one is free at once; nil otherwise.
    nonisolated func runIfFree<T: Sendable>(_ body: @Sendable () async throws -> T) async throws -> T? {
        guard await tryAcquire() else { return nil }
        return try await holding(body)
    }

    /// Runs `body` holding a permit.
    nonisolated func run<T: Sendable>(_ body: @Sendable () async throws -> T) async throws -> T {
        await acquire()
        return try await holding(body)
    }

    /// Runs `body` with a permit already taken, and gives it back whatever happens.
    private nonisolated func holding<T: Sendable>(_ body: @Sendable () async throws -> T) async throws -> T {
        do {
            let result = try await body()
            await release()
            return result
        } catch {
            await release()
            throw error
        }
    }
}
