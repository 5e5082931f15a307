import NIOPosix

/// Calls that block their thread until something else happens (a connection
/// pool's synchronous shutdown, a pipe read to its end), run on threads of
/// their own. Tasks run on the event loops (`LabAtlasCLI.runTasksOnEventLoops`):
/// a pool shutdown waiting there for the loop it runs on never returns.
enum BlockingWork {
    /// Enough for the calls that must run side by side: a tool's two pipes read at once.
    private static let threads = NIOThreadPool.started(numberOfThreads: 4)

    static func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await threads.runIfActive(body)
    }
}

extension NIOThreadPool {
    /// A pool of the process's lifetime, started: never shut down, it ends with the process.
    static func started(numberOfThreads: Int) -> NIOThreadPool {
        let pool = NIOThreadPool(numberOfThreads: numberOfThreads)
        pool.start()
        return pool
    }
}
