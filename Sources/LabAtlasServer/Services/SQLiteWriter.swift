import Fluent
import FluentSQLiteDriver
import NIOCore
import NIOPosix
import SQLKit
import Synchronization
import Vapor

/// On an SQLite file, saves run on a connection, a SQLite thread and an event
/// loop of their own.
///
/// Fluent keeps one SQLite connection per event loop, and reads share them.
/// A save used to hold one of the two for its whole transaction (about twenty
/// statements and a commit that waits for the disk): every read of that loop
/// waited behind it, and its statements queued behind the reads' on the shared
/// SQLite threads, so the write lock was held two to three times longer under
/// load than alone. Saves queue one at a time anyway (`WriterQueue`), so one
/// connection serves them all, and reads keep both of theirs.
///
/// Saves that find the writer busy wait together and then share one
/// transaction (group commit): one lock, one commit and one wait for the disk
/// for all of them, each in a savepoint of its own, so that one that fails
/// takes back its own changes only. None is answered before the commit.
///
/// Requests find it through `current`, which `SQLiteWriterMiddleware` sets;
/// commands and PostgreSQL have none, and write on the database they were given.
final class SQLiteWriter: Sendable {
    private let databases: Databases
    private let threadPool: NIOThreadPool
    private let eventLoopGroup: MultiThreadedEventLoopGroup
    /// Runs the Swift side of a save (building rows, the revision, the search
    /// document) on the writer's own thread, so that it does not wait behind
    /// the reads' tasks while the save holds the write lock.
    private let executor: EventLoopTaskExecutor

    private struct Save: Sendable {
        let work: @Sendable (any Database) async throws -> any Sendable
        let done: CheckedContinuation<any Sendable, any Error>
    }

    private struct Queue {
        var saves: [Save] = []
        var draining = false
        var writing = false
    }

    private let queue = Mutex(Queue())

    /// At most this many saves share a transaction, so that the last of them waits
    /// for a bounded number of others.
    static let batchLimit = 32

    init(path: String, connectionWait: TimeAmount) {
        threadPool = NIOThreadPool(numberOfThreads: 1)
        threadPool.start()
        eventLoopGroup = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        executor = EventLoopTaskExecutor(eventLoop: eventLoopGroup.any())
        databases = Databases(threadPool: threadPool, on: eventLoopGroup)
        databases.use(.sqlite(.file(path), connectionPoolTimeout: connectionWait), as: .sqlite)
    }

    /// Gives the writer's two threads a higher priority than the others' (nice
    /// `nice`), where the system allows it (as root, or with CAP_SYS_NICE):
    /// a save holds the write lock that every other save waits for, and each of
    /// its twenty statements goes from one of its threads to the other and back.
    /// At the reads' priority, under load, each of those turns waited for a
    /// processor, and the saves' transactions took half as long again.
    /// False when the system refused.
    func raisePriority(nice: Int32 = -5) async -> Bool {
        let loop = (try? await eventLoopGroup.any().submit { ThreadPriority.setCurrentThread(nice: nice) }.get()) ?? false
        let pool = (try? await threadPool.runIfActive { ThreadPriority.setCurrentThread(nice: nice) }) ?? false
        return loop && pool
    }

    /// Runs `work` in a write transaction on the writer's connection, after the
    /// saves queued before it, in the same transaction as those queued with it.
    func write<T: Sendable>(logger: Logger, _ work: @escaping @Sendable (any Database) async throws -> T) async throws -> T {
        let value = try await withCheckedThrowingContinuation { (done: CheckedContinuation<any Sendable, any Error>) in
            let startDraining = queue.withLock { queue in
                queue.saves.append(Save(work: { try await work($0) }, done: done))
                guard !queue.draining else { return false }
                queue.draining = true
                return true
            }
            if startDraining {
                Task(executorPreference: executor) { await self.drain(logger: logger) }
            }
        }
        guard let value = value as? T else { throw Abort(.internalServerError, reason: "Écriture : résultat inattendu.") }
        return value
    }

    /// Runs `work` in a transaction of its own, at once, unless a save is under
    /// way or waiting: nil then (derived data a reader could keep).
    func writeIfIdle<T: Sendable>(logger: Logger, _ work: @escaping @Sendable (any Database) async throws -> T) async throws -> T? {
        try await WriterQueue.shared.runIfFree { try await transaction(logger: logger, work) }
    }

    /// A write transaction on the writer's connection, its body on the writer's thread.
    /// Fluent runs a transaction's body in a task of its own, which would take
    /// the shared executor again: the body asks for the writer's thread.
    private func transaction<T: Sendable>(logger: Logger, _ body: @escaping @Sendable (any Database) async throws -> T) async throws -> T {
        try await database(logger: logger).lockedTransaction { transaction in
            try await withTaskExecutorPreference(self.executor) { try await body(transaction) }
        }
    }

    /// Saves waiting for the current transaction to end.
    var queuedSaves: Int { queue.withLock { $0.saves.count } }

    /// Whether a transaction of saves is under way.
    var isWriting: Bool { queue.withLock { $0.writing } }

    /// Runs the queued saves, batch after batch, until none is left.
    private func drain(logger: Logger) async {
        while true {
            let batch = queue.withLock { queue -> [Save] in
                let batch = Array(queue.saves.prefix(Self.batchLimit))
                queue.saves.removeFirst(batch.count)
                if batch.isEmpty { queue.draining = false }
                return batch
            }
            guard !batch.isEmpty else { return }
            await WriterQueue.shared.acquire()
            queue.withLock { $0.writing = true }
            await commit(batch, logger: logger)
            queue.withLock { $0.writing = false }
            WriterQueue.shared.release()
        }
    }

    /// One transaction for `batch`; every save is answered once it is committed or refused.
    private func commit(_ batch: [Save], logger: Logger) async {
        let outcomes = Mutex<[Result<any Sendable, any Error>]>([])
        do {
            try await transaction(logger: logger) { transaction in
                guard batch.count > 1, let sql = transaction as? any SQLDatabase else {
                    // Alone, a save that fails takes the whole transaction back with it.
                    let value = try await batch[0].work(transaction)
                    outcomes.withLock { $0.append(.success(value)) }
                    return
                }
                for save in batch {
                    try await sql.raw("SAVEPOINT save").run()
                    do {
                        let value = try await save.work(transaction)
                        try await sql.raw("RELEASE save").run()
                        outcomes.withLock { $0.append(.success(value)) }
                    } catch {
                        try await sql.raw("ROLLBACK TO save").run()
                        try await sql.raw("RELEASE save").run()
                        outcomes.withLock { $0.append(.failure(error)) }
                    }
                }
            }
        } catch {
            // Nothing of the batch was written (a save alone that failed, or the
            // commit): every save of it says so.
            for save in batch { save.done.resume(throwing: error) }
            return
        }
        for (save, outcome) in zip(batch, outcomes.withLock { $0 }) {
            save.done.resume(with: outcome)
        }
    }

    /// The writer's database, logging to `logger`.
    func database(logger: Logger) -> any Database {
        // The only database configured, so always there.
        databases.database(logger: logger, on: eventLoopGroup.any())!
    }

    /// Closes the writer's connection (a restore needs the file to itself); the
    /// next save opens a new one.
    func closeConnection() async {
        let databases = databases
        // Waits for the connection pool's event loop: never on one (`BlockingWork`).
        try? await BlockingWork.run { databases.reinitialize() }
    }

    func shutdown() async {
        await databases.shutdownAsync()
        try? await threadPool.shutdownGracefully()
        try? await eventLoopGroup.shutdownGracefully()
    }

    /// The writer of the request under way, if its application has one.
    @TaskLocal static var current: SQLiteWriter?
}

extension Application {
    private struct SQLiteWriterKey: StorageKey {
        typealias Value = SQLiteWriter
    }

    /// The application's writer on an SQLite file; nil in memory and on PostgreSQL.
    var sqliteWriter: SQLiteWriter? {
        get { storage[SQLiteWriterKey.self] }
        set { storage[SQLiteWriterKey.self] = newValue }
    }
}

/// Makes the application's writer the one its requests' saves use.
struct SQLiteWriterMiddleware: AsyncMiddleware {
    let writer: SQLiteWriter

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        try await SQLiteWriter.$current.withValue(writer) {
            try await next.respond(to: request)
        }
    }
}

/// Closes the writer's connection once requests and background writes are done.
struct SQLiteWriterShutdown: LifecycleHandler {
    let writer: SQLiteWriter

    func shutdownAsync(_ application: Application) async {
        await writer.shutdown()
    }
}

/// Runs tasks' jobs on one event loop's thread.
final class EventLoopTaskExecutor: TaskExecutor {
    let eventLoop: any EventLoop

    init(eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        eventLoop.execute { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}
