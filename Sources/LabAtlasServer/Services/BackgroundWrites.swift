import Synchronization
import Vapor

/// Writes of derived data that a visitor's request hands over rather than
/// waiting for the write lock: each runs once the saves ahead of it are done,
/// after the page has been answered. Some compute what they write first (a
/// similar-items list ranked again, `start(once:)`).
///
/// Only a few wait at a time: what they write (a kept similar-items list) is a
/// convenience that the next view computes again when one is dropped; of
/// them, at most `onceLimit` started `once`, so that rankings, which take the
/// processor a while, never crowd out the others nor the requests. Stopping
/// waits for them as for requests (`DrainRequestsOnShutdown`): one that reached
/// the database after it closed would bring the process down.
final class BackgroundWrites: Sendable {
    private let pending = Atomic<Int>(0)
    /// The keys of the writes started `once` and not yet finished.
    private let keys = Mutex<Set<String>>([])
    let limit: Int
    let onceLimit: Int

    init(limit: Int = 8, onceLimit: Int = 2) {
        self.limit = limit
        self.onceLimit = onceLimit
    }

    /// The writes started and not yet finished.
    var current: Int { pending.load(ordering: .acquiring) }

    /// Starts `write` unless `limit` writes are already pending; false when it was dropped.
    /// A write that fails is dropped too: nothing waits for its result.
    @discardableResult
    func start(_ write: @escaping @Sendable () async throws -> Void) -> Bool {
        var seen = pending.load(ordering: .relaxed)
        while true {
            guard seen < limit else { return false }
            let (exchanged, original) = pending.compareExchange(expected: seen, desired: seen + 1, ordering: .acquiringAndReleasing)
            if exchanged { break }
            seen = original
        }
        // A detached task inherits no task-local value: the writer is passed on by hand.
        let writer = SQLiteWriter.current
        Task.detached { [self] in
            defer { pending.wrappingSubtract(1, ordering: .acquiringAndReleasing) }
            try? await SQLiteWriter.$current.withValue(writer) { try await write() }
        }
        return true
    }

    /// Starts `write` as `start` does, unless one started with the same `key`
    /// is still pending, or `onceLimit` of those started `once` are.
    @discardableResult
    func start(once key: String, _ write: @escaping @Sendable () async throws -> Void) -> Bool {
        guard keys.withLock({ $0.count < onceLimit && $0.insert(key).inserted }) else { return false }
        let started = start { [self] in
            defer { _ = keys.withLock { $0.remove(key) } }
            try await write()
        }
        if !started { _ = keys.withLock { $0.remove(key) } }
        return started
    }

    /// Waits until none is pending, or `limit` has passed; true when none is left.
    func drained(within limit: Duration) async -> Bool {
        await waitUntil({ self.current == 0 }, within: limit)
    }
}

extension Application {
    private struct BackgroundWritesKey: StorageKey {
        typealias Value = BackgroundWrites
    }

    /// The application's background writes; set up by `configure`.
    var backgroundWrites: BackgroundWrites {
        get { storage[BackgroundWritesKey.self] ?? BackgroundWrites(limit: 0) }
        set { storage[BackgroundWritesKey.self] = newValue }
    }
}
