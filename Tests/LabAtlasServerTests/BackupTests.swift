import Fluent
import Foundation
import SQLKit
import Testing
import Vapor
@testable import LabAtlasServer

/// `labatlas backup` / `labatlas restore`: a backup restored into a fresh
/// instance gives the same atlas; what is not a backup changes nothing.
/// On SQLite each app has a data dir of its own; with `DATABASE_URL`, a schema
/// of its own, dropped before the restore to stand for a fresh database.
@Suite struct BackupTests {
    static let onPostgres = !(ProcessInfo.processInfo.environment["DATABASE_URL"] ?? "").isEmpty

    @Test func aBackupRestoredIntoAFreshInstanceHoldsTheSameItems() async throws {
        try await withScratch { scratch in
            let backupFile = scratch.appendingPathComponent("atlas.backup").path
            let place = StoredPlace(scratch: scratch, name: "source")
            var before: [String] = []
            var searchBefore = ""
            try await withStoredApp(place) { source in
                _ = try await DemoLoader(database: source.db).load()
                before = try await DemoTests.snapshot(source)
                searchBefore = try await source.get("/api/v1/search?q=laboratoire").body
                _ = try await DatabaseBackup(application: source).backup(to: backupFile, overwrite: false)
                try await place.forget(source)
            }
            let fresh = Self.onPostgres ? place : StoredPlace(scratch: scratch, name: "fresh")
            try await withStoredApp(fresh, migrated: false) { target in
                let restored = try await DatabaseBackup(application: target).restore(from: backupFile)
                #expect(restored.previous == nil, "a fresh data dir has nothing worth keeping")
                let after = try await DemoTests.snapshot(target)
                #expect(after == before)
                #expect(after.count > 50)
                let searchAfter = try await target.get("/api/v1/search?q=laboratoire").body
                #expect(searchAfter == searchBefore, "the search index comes back with the items")
                #expect(searchAfter.contains("\"total\""))
                try await fresh.forget(target)
            }
        }
    }

    @Test func whatIsNotABackupIsRefusedAndChangesNothing() async throws {
        try await withScratch { scratch in
            let garbage = scratch.appendingPathComponent("notes.txt")
            try Data("ceci n'est pas une sauvegarde\n".utf8).write(to: garbage)
            let foreign = scratch.appendingPathComponent("other.sqlite").path
            try await Self.makeForeignSQLiteDatabase(at: foreign)
            let place = StoredPlace(scratch: scratch, name: "live")
            try await withStoredApp(place) { app in
                _ = try await AccountService(database: app.db, application: app)
                    .createUser(email: "garde@test.fr", name: "Garde", password: "un-mot-de-passe-assez-long")
                let filesBefore = place.dataDirListing()
                for file in [garbage.path, foreign, scratch.appendingPathComponent("absent.backup").path] {
                    let error = await #expect(throws: CommandFailure.self) {
                        _ = try await DatabaseBackup(application: app).restore(from: file)
                    }
                    #expect(error?.description.contains(file) == true, "the message names the file: \(String(describing: error))")
                    #expect(error?.description.contains("\n") == false)
                }
                #expect(place.dataDirListing() == filesBefore, "no staged copy or kept database is left behind")
                let users = try await User.query(on: app.db).all().map(\.email)
                #expect(users == ["garde@test.fr"])
                try await place.forget(app)
            }
        }
    }

    @Test func backupRefusesToReplaceAFileUnlessForced() async throws {
        try await withScratch { scratch in
            let target = scratch.appendingPathComponent("existing.backup")
            try Data("à garder".utf8).write(to: target)
            let place = StoredPlace(scratch: scratch, name: "live")
            try await withStoredApp(place) { app in
                let error = await #expect(throws: CommandFailure.self) {
                    _ = try await DatabaseBackup(application: app).backup(to: target.path, overwrite: false)
                }
                #expect(error?.description.contains("--force") == true)
                #expect(try Data(contentsOf: target) == Data("à garder".utf8))
                _ = try await DatabaseBackup(application: app).backup(to: target.path, overwrite: true)
                let header = try Data(contentsOf: target).prefix(5)
                #expect(header == Data((Self.onPostgres ? "PGDMP" : "SQLit").utf8))
                let leftovers = try FileManager.default.contentsOfDirectory(atPath: scratch.path).filter { $0.hasPrefix(".") }
                #expect(leftovers.isEmpty, "no partial file is left next to the backup")
                try await place.forget(app)
            }
        }
    }

    /// A running server keeps the file open; restoring under it would pull the database from under its feet.
    @Test(.enabled(if: !onPostgres)) func restoreIsRefusedWhileTheDatabaseIsInUse() async throws {
        try await withScratch { scratch in
            let backupFile = scratch.appendingPathComponent("atlas.backup").path
            let place = StoredPlace(scratch: scratch, name: "live")
            try await withStoredApp(place) { server in
                _ = try await AccountService(database: server.db, application: server)
                    .createUser(email: "avant@test.fr", name: "Avant", password: "un-mot-de-passe-assez-long")
                _ = try await DatabaseBackup(application: server).backup(to: backupFile, overwrite: false)
                _ = try await AccountService(database: server.db, application: server)
                    .createUser(email: "apres@test.fr", name: "Après", password: "un-mot-de-passe-assez-long")
                try await withStoredApp(place, migrated: false) { restorer in
                    let error = await #expect(throws: CommandFailure.self) {
                        _ = try await DatabaseBackup(application: restorer).restore(from: backupFile)
                    }
                    #expect(error?.description.contains("in use") == true, "\(String(describing: error))")
                }
                #expect(!place.dataDirListing().contains { $0.hasPrefix(".") || $0.contains("before-restore") },
                        "a refused restore leaves no staged copy and keeps nothing aside")
                #expect(try await User.query(on: server.db).count() == 2, "the server's database is untouched")
            }
            // Server stopped: the restore goes through and keeps the replaced database.
            try await withStoredApp(place, migrated: false) { restorer in
                let restored = try await DatabaseBackup(application: restorer).restore(from: backupFile)
                #expect(try await User.query(on: restorer.db).all().map(\.email) == ["avant@test.fr"])
                let previous = try #require(restored.previous)
                #expect(previous.contains("labatlas.sqlite.before-restore-"))
                #expect(place.dataDirListing().contains { $0.hasPrefix("labatlas.sqlite.before-restore-") })
            }
            // The kept database is whole: it opens and still holds the later account.
            let kept = try #require(place.dataDirListing().first { $0.hasPrefix("labatlas.sqlite.before-restore-") })
            let keptPlace = StoredPlace(scratch: scratch, name: "kept")
            try FileManager.default.createDirectory(atPath: keptPlace.dataDir, withIntermediateDirectories: true)
            try FileManager.default.copyItem(atPath: place.dataDir + "/" + kept, toPath: keptPlace.dataDir + "/labatlas.sqlite")
            try await withStoredApp(keptPlace, migrated: false) { app in
                let accounts = try await User.query(on: app.db).count()
                #expect(accounts == 2)
            }
        }
    }

    /// A backup from before the search index existed comes back with it.
    @Test(.enabled(if: !onPostgres)) func restoringAnOlderBackupAppliesTheMissingMigrations() async throws {
        try await withScratch { scratch in
            let backupFile = scratch.appendingPathComponent("older.backup").path
            try await withStoredApp(StoredPlace(scratch: scratch, name: "source")) { source in
                _ = try await DatabaseBackup(application: source).backup(to: backupFile, overwrite: false)
            }
            try await Self.withRawSQLite(backupFile) { sql in
                for table in ["search_fts", "search_docs", "search_texts", "search_terms", "search_stats",
                              "search_facet_codes", "search_facet_values"] {
                    try await sql.raw("DROP TABLE IF EXISTS \(ident: table)").run()
                }
                for log in ["_fluent_migrations", AtomicMigration.appliedTable] {
                    try await sql.raw("""
                        DELETE FROM \(ident: log) WHERE name IN ('LabAtlasServer.CreateSearchIndex', 'LabAtlasServer.CreateSearchFacetCodes')
                        """).run()
                }
            }
            try await withStoredApp(StoredPlace(scratch: scratch, name: "fresh"), migrated: false) { target in
                let restored = try await DatabaseBackup(application: target).restore(from: backupFile)
                #expect(restored.migrationsApplied == 2)
                let search = try await target.get("/api/v1/search?q=laboratoire")
                #expect(search.status == .ok)
            }
        }
    }

    private static func makeForeignSQLiteDatabase(at path: String) async throws {
        try await withRawSQLite(path) { sql in
            try await sql.raw("CREATE TABLE recipes (name TEXT)").run()
        }
    }

    /// A SQLite file opened on its own, outside any LabAtlas configuration.
    private static func withRawSQLite(_ path: String, _ body: (any SQLDatabase) async throws -> Void) async throws {
        let app = try await Application.make(.testing)
        do {
            app.databases.use(.sqlite(.file(path)), as: .sqlite)
            try await body(try app.db.sql)
        } catch {
            try await app.asyncShutdown()
            throw error
        }
        try await app.asyncShutdown()
    }
}

/// Where one test instance keeps its data: a data dir under the test's scratch
/// directory, or on PostgreSQL a schema named after it.
private struct StoredPlace {
    let scratch: URL
    let name: String
    let schema = "test_backup_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(12)

    var dataDir: String { scratch.appendingPathComponent(name).path }

    var storage: StorageSettings {
        if let url = ProcessInfo.processInfo.environment["DATABASE_URL"], !url.isEmpty {
            return StorageSettings(store: .postgres(url, schema: schema))
        }
        return StorageSettings(store: .sqliteFile(dataDir + "/labatlas.sqlite"))
    }

    func dataDirListing() -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: dataDir)) ?? []).sorted()
    }

    /// PostgreSQL keeps a schema after the test: drop it (SQLite's data dir goes with the scratch directory).
    func forget(_ app: Application) async throws {
        guard BackupTests.onPostgres else { return }
        try await app.db.sql.raw("DROP SCHEMA IF EXISTS \(ident: schema) CASCADE").run()
    }
}

private func withStoredApp(_ place: StoredPlace, migrated: Bool = true, _ body: (Application) async throws -> Void) async throws {
    let app = try await Application.make(.testing)
    app.logger.logLevel = .warning
    do {
        try await configure(app, storage: place.storage)
        if migrated { try await app.autoMigrate() }
        try await body(app)
    } catch {
        try await app.asyncShutdown()
        throw error
    }
    try await app.asyncShutdown()
}

private func withScratch(_ body: (URL) async throws -> Void) async throws {
    let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("labatlas-backup-test-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: scratch) }
    try await body(scratch)
}
