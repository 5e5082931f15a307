import Fluent
import SQLKit

extension Database {
    /// A transaction that writes. On SQLite its first statement takes the
    /// database's write lock: a transaction that reads first holds a snapshot
    /// that a concurrent writer can make stale, and SQLite then refuses its
    /// first write at once ("database is locked", SQLITE_BUSY_SNAPSHOT) where
    /// waiting for the lock (`busy_timeout`) would have served it. Writers thus
    /// queue; readers are never blocked (WAL). PostgreSQL needs none of this.
    func writeTransaction<T: Sendable>(_ closure: @escaping @Sendable (any Database) async throws -> T) async throws -> T {
        try await transaction { transaction in
            if !transaction.isPostgres, let sql = transaction as? any SQLDatabase {
                // Any write statement takes the lock, even one that changes nothing.
                try await sql.raw("DELETE FROM _fluent_migrations WHERE 0 = 1").run()
            }
            return try await closure(transaction)
        }
    }
}
