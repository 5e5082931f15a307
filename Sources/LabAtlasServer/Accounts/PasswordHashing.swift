import NIOPosix
import Vapor

/// Bcrypt on a thread of its own: a hash or a check at cost 12 takes about a
/// quarter of a second of one core. Run where it was called, it held one of
/// the event loops every request's tasks run on (`LabAtlasCLI.runTasksOnEventLoops`);
/// run on the shared thread pool, one of the threads SQLite's queries wait for.
enum PasswordHashing {
    private static let thread: NIOThreadPool = {
        let pool = NIOThreadPool(numberOfThreads: 1)
        pool.start()
        return pool
    }()

    static func hash(_ password: String, cost: Int) async throws -> String {
        try await thread.runIfActive { try Bcrypt.hash(password, cost: cost) }
    }

    static func verify(_ password: String, created hash: String) async throws -> Bool {
        try await thread.runIfActive { try Bcrypt.verify(password, created: hash) }
    }
}
