import FluentSQLiteDriver
import Foundation
import Vapor

/// Backup and restore of the embedded SQLite database (`labatlas.sqlite` in the data dir).
struct SQLiteBackup {
    let databasePath: String
    let application: Application

    // MARK: Backup

    /// `VACUUM INTO` copies the database from one read transaction: a consistent
    /// snapshot holding every write committed before it began, while WAL lets
    /// the server's writers go on. The copy is checked and flushed under a
    /// temporary name, then renamed, so FILE is never a half-written backup.
    func backup(to file: String) async throws -> Int64 {
        let sql = try application.db.sql
        let tables = try await sql.raw("SELECT count(*) AS count FROM sqlite_master WHERE type = 'table' AND name = '_fluent_migrations'")
            .first(decoding: CountRow.self)
        guard (tables?.count ?? 0) > 0 else {
            throw CommandFailure("backup: \(databasePath) holds no LabAtlas database (run labatlas migrate first)")
        }
        return try await DurableFile.writeWhole(file) { partial in
            try await sql.raw("VACUUM INTO \(bind: partial)").run()
            try await Self.check(partial, describedAs: "backup: the copy of \(databasePath)", switchingToWAL: false, application: application)
        }
    }

    // MARK: Restore

    /// Replaces the data dir's database with FILE. FILE is copied next to the
    /// database and checked there (what is checked is what gets installed); the
    /// current database keeps a second name, `labatlas.sqlite.before-restore-<UTC time>`;
    /// then one rename puts the copy in place. Any failure before that rename
    /// leaves the data dir as it was.
    func restore(from file: String) async throws -> (previous: String?, size: Int64) {
        try FileManager.default.createDirectory(atPath: DurableFile.directory(of: databasePath), withIntermediateDirectories: true)
        let staged = DurableFile.temporarySibling(of: databasePath, purpose: "restoring")
        let stagedCompanions = ["-wal", "-shm", "-journal"].map { staged + $0 }
        func discardStaged() { for path in [staged] + stagedCompanions { DurableFile.removeIfPresent(path) } }
        do {
            try FileManager.default.copyItem(atPath: file, toPath: staged)
            try await Self.check(staged, describedAs: "restore: \(file)", switchingToWAL: true, application: application)
            try DurableFile.sync(staged)
        } catch {
            discardStaged()
            if error is CommandFailure { throw error }
            throw CommandFailure("restore: cannot copy \(file) into \(DurableFile.directory(of: databasePath)): \(error)")
        }

        // This command's own connections (opened when the application was
        // configured) would count as users of the file: close them first.
        try await BlockingWork.run { application.databases.reinitialize() }
        await application.sqliteWriter?.closeConnection()
        var previous: String?
        do {
            if DurableFile.exists(databasePath) {
                let lock = try await ExclusiveDatabaseLock.acquire(databasePath, application: application)
                do {
                    previous = try await swap(in: staged, holding: lock)
                } catch {
                    try? await lock.release()
                    throw error
                }
                try? await lock.release()
            } else {
                try DurableFile.replace(databasePath, with: staged)
            }
        } catch {
            discardStaged()
            if error is CommandFailure { throw error }
            throw CommandFailure("restore: cannot replace \(databasePath): \(error)")
        }
        return (previous, DurableFile.size(databasePath))
    }

    /// With the live database locked: keep it under its before-restore name
    /// (unless it holds nothing), then rename the staged copy over it.
    private func swap(in staged: String, holding lock: ExclusiveDatabaseLock) async throws -> String? {
        // Out of WAL mode, the live file holds every committed write by itself
        // and has no `-wal`/`-shm` companions a restored file could inherit.
        try await lock.leaveWALMode()
        var kept: String?
        do {
            if try await lock.holdsTables() {
                let keptPath = databasePath + ".before-restore-" + DurableFile.utcTimestamp()
                try DurableFile.keep(databasePath, as: keptPath)
                kept = keptPath
            }
            DurableFile.removeIfPresent(databasePath + "-wal", databasePath + "-shm", databasePath + "-journal")
            try DurableFile.replace(databasePath, with: staged)
        } catch {
            if let kept { DurableFile.removeIfPresent(kept) }
            try? await lock.returnToWALMode()
            throw error
        }
        return kept
    }

    // MARK: Checks

    /// Is `path` a sound LabAtlas database? Any answer but yes is one line naming the file.
    static func check(_ path: String, describedAs name: String, switchingToWAL: Bool, application: Application) async throws {
        let connection: SQLiteConnection
        do {
            connection = try await SQLiteConnection.open(storage: .file(path: path), threadPool: application.threadPool,
                                                         logger: application.logger, on: application.eventLoopGroup.any())
        } catch {
            throw CommandFailure("\(name): cannot be opened as a SQLite database (\(error))")
        }
        do {
            let integrity = try await connection.query("PRAGMA integrity_check")
            let verdict = integrity.compactMap { $0.column("integrity_check")?.string }
            guard verdict == ["ok"] else {
                throw CommandFailure("\(name): the database is damaged (integrity_check: \(verdict.prefix(3).joined(separator: "; ")))")
            }
            let migrations = try await connection.query(
                "SELECT count(*) AS count FROM sqlite_master WHERE type = 'table' AND name = '_fluent_migrations'")
            guard migrations.first?.column("count")?.integer == 1 else {
                throw CommandFailure("\(name): a SQLite database, but not a LabAtlas one (no _fluent_migrations table)")
            }
            if switchingToWAL {
                // The mode is stored in the file: a restored database works like one the server created.
                _ = try await connection.query("PRAGMA journal_mode = WAL")
            }
        } catch let failure as CommandFailure {
            try? await connection.close()
            throw failure
        } catch {
            try? await connection.close()
            throw CommandFailure("\(name): not a usable SQLite database (\(error))")
        }
        try await connection.close()
    }

    private struct CountRow: Decodable { let count: Int }
}

/// Proof that no other connection has the database open, held while it is replaced.
///
/// Why a SQLite lock rather than a lock file of our own: in WAL mode every
/// connection that has read the database keeps a SHARED lock on the file
/// until it closes, and a running `labatlas serve` keeps its pool's
/// connections open (each ran `PRAGMA journal_mode`, a read, when the server
/// started). An EXCLUSIVE lock is therefore granted only when no server,
/// import or other command has the file open, whoever started it and
/// whatever version it runs, with nothing for a crashed server to leave
/// behind (the operating system drops its locks with the process).
struct ExclusiveDatabaseLock {
    let connection: SQLiteConnection
    let path: String

    static func acquire(_ path: String, application: Application) async throws -> ExclusiveDatabaseLock {
        let connection = try await SQLiteConnection.open(storage: .file(path: path), threadPool: application.threadPool,
                                                         logger: application.logger, on: application.eventLoopGroup.any())
        do {
            // SQLiteNIO retries a busy database forever; a restore must fail at once instead.
            _ = try await connection.query("PRAGMA busy_timeout = 0")
            // EXCLUSIVE locking keeps the lock after the transaction ends, until the connection closes.
            _ = try await connection.query("PRAGMA locking_mode = EXCLUSIVE")
            _ = try await connection.query("BEGIN EXCLUSIVE")
            _ = try await connection.query("SELECT count(*) FROM sqlite_master")
            _ = try await connection.query("COMMIT")
        } catch {
            try? await connection.close()
            if let sqliteError = error as? SQLiteError, [.busy, .locked, .busyTimeout].contains(sqliteError.reason) {
                throw CommandFailure("restore: \(path) is in use (a labatlas server or command has it open): stop it, then restore")
            }
            throw CommandFailure("restore: cannot lock \(path): \(error)")
        }
        return ExclusiveDatabaseLock(connection: connection, path: path)
    }

    func leaveWALMode() async throws {
        _ = try await connection.query("PRAGMA journal_mode = DELETE")
    }

    func returnToWALMode() async throws {
        _ = try await connection.query("PRAGMA journal_mode = WAL")
    }

    /// An empty database (what a fresh data dir holds) is not worth keeping.
    func holdsTables() async throws -> Bool {
        let rows = try await connection.query("SELECT count(*) AS count FROM sqlite_master WHERE type = 'table'")
        return (rows.first?.column("count")?.integer ?? 0) > 0
    }

    func release() async throws {
        try await connection.close()
    }
}
