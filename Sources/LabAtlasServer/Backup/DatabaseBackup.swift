import Fluent
import Foundation
import Vapor

/// `labatlas backup` and `labatlas restore` for whichever storage the
/// application was configured with.
struct DatabaseBackup {
    let application: Application

    struct Restored {
        /// Where the database that was replaced is kept (SQLite), if it held anything.
        var previous: String?
        var migrationsApplied: Int
    }

    /// Writes a consistent backup to `file`; refuses to replace an existing file unless `overwrite`.
    func backup(to file: String, overwrite: Bool) async throws -> Int64 {
        let file = DurableFile.absolutePath(file)
        if DurableFile.exists(file) && !overwrite {
            throw CommandFailure("backup: \(file) already exists (give --force to replace it)")
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: DurableFile.directory(of: file), isDirectory: &isDirectory), isDirectory.boolValue else {
            throw CommandFailure("backup: no directory \(DurableFile.directory(of: file)) to write \(file) in")
        }
        switch try storage.store {
        case .sqliteFile(let path):
            return try await SQLiteBackup(databasePath: DurableFile.absolutePath(path), application: application).backup(to: file)
        case .postgres(let url, let schema):
            return try await PostgresBackup(url: url, schema: schema, application: application).backup(to: file)
        case .sqliteMemory:
            throw CommandFailure("backup: the database is in memory; there is nothing on disk to back up")
        }
    }

    /// Replaces the database with the backup in `file`, then applies the
    /// migrations the backup predates. A refused or failed restore changes nothing.
    func restore(from file: String) async throws -> Restored {
        let file = DurableFile.absolutePath(file)
        guard DurableFile.exists(file) else { throw CommandFailure("restore: no such file \(file)") }
        var restored = Restored(previous: nil, migrationsApplied: 0)
        switch try storage.store {
        case .sqliteFile(let path):
            restored.previous = try await SQLiteBackup(databasePath: DurableFile.absolutePath(path), application: application)
                .restore(from: file).previous
        case .postgres(let url, let schema):
            try await PostgresBackup(url: url, schema: schema, application: application).restore(from: file)
        case .sqliteMemory:
            throw CommandFailure("restore: the database is in memory; restore into a data dir or DATABASE_URL")
        }
        do {
            let before = try await MigrationLog.count(on: application.db)
            try await application.migrateSafely()
            restored.migrationsApplied = try await MigrationLog.count(on: application.db) - before
        } catch {
            // The backup is in place; say so, and where the replaced database went, rather than leave a bare SQL error.
            let kept = restored.previous.map { "; the replaced database is kept in \($0)" } ?? ""
            throw CommandFailure("restore: \(file) was restored but its migration to this version failed (\(String(describing: error).prefix(300)))\(kept)")
        }
        return restored
    }

    private var storage: StorageSettings {
        get throws {
            guard let settings = application.storage[StorageSettingsKey.self] else {
                throw CommandFailure("backup: the application was not configured with a storage")
            }
            return settings
        }
    }
}

/// The storage `configure` set up, for the commands that work on the files themselves.
struct StorageSettingsKey: StorageKey {
    typealias Value = StorageSettings
}

/// Fluent's record of applied migrations, counted to report what a restore added.
private enum MigrationLog {
    static func count(on database: any Database) async throws -> Int {
        struct Row: Decodable { let count: Int }
        return try await database.sql.raw("SELECT count(*) AS count FROM _fluent_migrations").first(decoding: Row.self)?.count ?? 0
    }
}
