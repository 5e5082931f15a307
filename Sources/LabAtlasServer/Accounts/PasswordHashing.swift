import NIOPosix
import Vapor

/// Bcrypt on threads of its own, half the cores: a hash or a check at cost 12
/// takes about a quarter of a second of one core. Run where it was called, it
/// held one of the event loops every request's tasks run on
/// (`LabAtlasCLI.runTasksOnEventLoops`); run on the shared thread pool, one of
/// the threads SQLite's queries wait for. A burst of sign-ins leaves the other
/// cores to the pages.
enum PasswordHashing {
    private static let threads = NIOThreadPool.started(numberOfThreads: max(1, System.coreCount / 2))

    static func hash(_ password: String, cost: Int) async throws -> String {
        try await threads.runIfActive { try Bcrypt.hash(password, cost: cost) }
    }

    static func verify(_ password: String, created hash: String) async throws -> Bool {
        try await threads.runIfActive { try Bcrypt.verify(password, created: hash) }
    }
}
