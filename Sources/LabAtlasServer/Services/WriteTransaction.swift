import Fluent
import SQLKit

extension Database {
    /// A transaction that writes. On SQLite its first statement takes the
    /// database's write lock: a transaction that reads first holds a snapshot
    /// that a concurrent writer can make stale, and SQLite then refuses its
    /// first write at once ("database is locked", SQLITE_BUSY_SNAPSHOT) where
    /// waiting for the lock (`busy_timeout`) would have served it. Writers thus
    /// queue; readers are never blocked (WAL).
    ///
    /// On PostgreSQL writers queue too, behind a transaction-level advisory
    /// lock: the triggers of `item_counts` (migration 005) add to shared rows
    /// in whatever order a save touches facet values, and two saves taking
    /// those rows in opposite orders would deadlock, one of them failing.
    ///
    /// On SQLite writers of this process also queue before they take a
    /// connection (`WriterQueue`): SQLite has one connection per event loop, and a
    /// writer waiting for the lock inside SQLite (`busy_timeout` sleeps) would
    /// hold its connection and stall every read of its event loop meanwhile.
    /// A request's saves run on its application's `SQLiteWriter`, which has a
    /// connection of its own.
    func writeTransaction<T: Sendable>(_ closure: @escaping @Sendable (any Database) async throws -> T) async throws -> T {
        // A write nested in another runs on its transaction: it already holds the queue.
        guard !isPostgres, !inTransaction else { return try await lockedTransaction(closure) }
        guard let sqliteWriter = SQLiteWriter.current else {
            return try await WriterQueue.shared.run { try await self.lockedTransaction(closure) }
        }
        return try await sqliteWriter.write(logger: logger, closure)
    }

    /// A write that is only worth doing when no other write is under way (derived
    /// data a reader could keep): nil, at once, when a writer holds or waits for the lock.
    func writeTransactionIfIdle<T: Sendable>(_ closure: @escaping @Sendable (any Database) async throws -> T) async throws -> T? {
        guard !inTransaction else { return try await lockedTransaction(closure) }
        if isPostgres {
            return try await transaction { transaction -> T? in
                let row = try await transaction.sql.raw(Self.writeLock("pg_try_advisory_xact_lock")).first()
                guard try row?.decode(column: "locked", as: Bool.self) == true else { return nil }
                return try await closure(transaction)
            }
        }
        guard let sqliteWriter = SQLiteWriter.current else {
            return try await WriterQueue.shared.runIfFree { try await self.lockedTransaction(closure) }
        }
        return try await sqliteWriter.writeIfIdle(logger: logger, closure)
    }

    func lockedTransaction<T: Sendable>(_ closure: @escaping @Sendable (any Database) async throws -> T) async throws -> T {
        try await transaction { transaction in
            if let sql = transaction as? any SQLDatabase {
                if transaction.isPostgres {
                    try await sql.raw(Self.writeLock("pg_advisory_xact_lock")).run()
                } else {
                    // Any write statement takes the lock, even one that changes nothing.
                    try await sql.raw("DELETE FROM _fluent_migrations WHERE 0 = 1").run()
                }
            }
            return try await closure(transaction)
        }
    }

    /// PostgreSQL's write lock, taken (or tried) by `function`; one lock per
    /// schema: the counts it guards are the schema's.
    private static func writeLock(_ function: String) -> SQLQueryString {
        "SELECT \(unsafeRaw: function)(\(bind: writeLockKey), hashtext(current_schema())) AS locked"
    }

    /// Any fixed number, the same for every instance ("LabW" in ASCII); the
    /// migrations' lock is a single 64-bit key, so the two never meet.
    private static var writeLockKey: Int32 { 0x4C61_6257 }
}

/// Writers of this process, one at a time, first come first served.
enum WriterQueue {
    static let shared = FairQueue(permits: 1)
}
