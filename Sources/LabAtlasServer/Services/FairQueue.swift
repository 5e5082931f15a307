import Synchronization

/// At most `permits` holders at a time; the others wait their turn, first
/// come first served.
///
/// A lock rather than an actor: every request takes and gives back a permit,
/// and an actor would move each of them to its own executor and back.
final class FairQueue: Sendable {
    private struct State {
        var holders = 0
        var waiting: [CheckedContinuation<Void, Never>] = []
    }

    private let permits: Int
    private let state = Mutex(State())

    init(permits: Int) {
        precondition(permits > 0, "a queue needs at least one permit")
        self.permits = permits
    }

    func acquire() async {
        if tryAcquire() { return }
        await withCheckedContinuation { (waiter: CheckedContinuation<Void, Never>) in
            // A permit may have come back since the first try: take it rather than wait for none.
            let queued = state.withLock { state in
                if state.holders < permits {
                    state.holders += 1
                    return false
                }
                state.waiting.append(waiter)
                return true
            }
            if !queued { waiter.resume() }
        }
    }

    /// How many wait for a permit.
    var waitingCount: Int { state.withLock { $0.waiting.count } }

    /// Takes a permit only if one is free and nobody waits for it.
    func tryAcquire() -> Bool {
        state.withLock { state in
            guard state.holders < permits else { return false }
            state.holders += 1
            return true
        }
    }

    /// Hands the permit to the longest waiter, if any.
    func release() {
        let next = state.withLock { state -> CheckedContinuation<Void, Never>? in
            if state.waiting.isEmpty {
                state.holders -= 1
                return nil
            }
            return state.waiting.removeFirst()
        }
        next?.resume()
    }

    /// Runs `body` holding a permit if one is free at once; nil otherwise.
    func runIfFree<T: Sendable>(_ body: @Sendable () async throws -> T) async throws -> T? {
        guard tryAcquire() else { return nil }
        return try await holding(body)
    }

    /// Runs `body` holding a permit.
    func run<T: Sendable>(_ body: @Sendable () async throws -> T) async throws -> T {
        await acquire()
        return try await holding(body)
    }

    /// Runs `body` with a permit already taken, and gives it back whatever happens.
    private func holding<T: Sendable>(_ body: @Sendable () async throws -> T) async throws -> T {
        defer { release() }
        return try await body()
    }
}
