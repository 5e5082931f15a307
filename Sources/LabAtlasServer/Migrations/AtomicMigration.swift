import Fluent
import SQLKit
import Vapor

/// A migration that happens entirely or not at all, even if the process is
/// killed in the middle (an upgrade stopped by a deploy, a crash).
///
/// Fluent runs a migration's statements one by one and records it afterwards,
/// outside any transaction: a kill in between left tables behind that the next
/// start tried to create again ("already exists"), and the instance never
/// started again. Here each migration runs in one transaction that also records
/// it in `labatlas_applied_migrations`; a migration found there is not run
/// again, whatever Fluent's own log says. Both databases roll DDL back.
struct AtomicMigration: AsyncMigration {
    let wrapped: any Migration
    /// Fluent's name for the wrapped migration, so databases migrated before keep their log.
    var name: String { wrapped.name }

    static let appliedTable = "labatlas_applied_migrations"

    func prepare(on database: any Database) async throws {
        try await database.writeTransaction { transaction in
            let sql = try transaction.sql
            try await sql.raw("CREATE TABLE IF NOT EXISTS \(ident: Self.appliedTable) (name TEXT PRIMARY KEY)").run()
            let applied = try await sql.select().column("name").from(Self.appliedTable)
                .where("name", .equal, SQLBind(name)).first()
            guard applied == nil else { return }
            try await wrapped.prepare(on: transaction).get()
            try await sql.insert(into: Self.appliedTable).columns("name").values(SQLBind(name)).run()
        }
    }

    func revert(on database: any Database) async throws {
        try await database.writeTransaction { transaction in
            try await wrapped.revert(on: transaction).get()
            let sql = try transaction.sql
            try await sql.raw("CREATE TABLE IF NOT EXISTS \(ident: Self.appliedTable) (name TEXT PRIMARY KEY)").run()
            try await sql.delete(from: Self.appliedTable).where("name", .equal, SQLBind(name)).run()
        }
    }
}

extension Application {
    /// Applies pending migrations; on PostgreSQL one instance at a time. Several
    /// instances started together on one database would otherwise each run the
    /// same pending migrations, and all but one fail ("already exists").
    /// The lock is PostgreSQL's, held by one connection: a killed instance releases it.
    func migrateSafely() async throws {
        guard db.isPostgres else { return try await autoMigrate() }
        try await db.withConnection { connection in
            let sql = try connection.sql
            try await sql.raw("SELECT pg_advisory_lock(\(bind: Self.migrationLockKey))").run()
            do {
                try await self.autoMigrate()
            } catch {
                try? await sql.raw("SELECT pg_advisory_unlock(\(bind: Self.migrationLockKey))").run()
                throw error
            }
            try await sql.raw("SELECT pg_advisory_unlock(\(bind: Self.migrationLockKey))").run()
        }
    }

    /// Any fixed number, the same for every instance ("LabAtlas" in ASCII).
    private static let migrationLockKey: Int64 = 0x4C61_6241_746C_6173
}
