import NIOPosix

/// Calls that block their thread until something else happens (a connection
/// pool's synchronous shutdown, a pipe read to its end), run on threads of
/// their own. Tasks run on the event loops (`LabAtlasCLI.runTasksOnEventLoops`):
/// a pool shutdown waiting there for the loop it runs on never returns.
enum BlockingWork {
    /// Enough for the calls that must run side by side: a tool's two pipes read at once.
    private static let threads: NIOThreadPool = {
        let pool = NIOThreadPool(numberOfThreads: 4)
        pool.start()
        return pool
    }()

    static func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await threads.runIfActive(body)
    }
}
