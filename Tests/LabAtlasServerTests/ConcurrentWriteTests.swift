import Foundation
import Testing
import Vapor
@testable import LabAtlasServer
import LabAtlasCore

/// Saves arriving together, as from several API clients at once: each one
/// waits for the others and succeeds. On SQLite a transaction that read before
/// writing used to fail at once with "database is locked".
@Suite struct ConcurrentWriteTests {
    @Test func simultaneousSavesAllSucceed() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("labatlas-concurrent-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        var storage = testStorage()
        if case .sqliteMemory = storage.store {
            storage = StorageSettings(store: .sqliteFile(directory.appendingPathComponent("labatlas.sqlite").path))
        }
        let app = try await Application.make(.testing)
        app.logger.logLevel = .critical
        do {
            try await configure(app, storage: storage)
            try await app.autoMigrate()
            // Enough to overlap on both connections of a 2-core machine, few enough for a debug build under a parallel suite.
            let count = 10
            let failures = await withTaskGroup(of: String?.self) { group in
                for index in 0..<count {
                    // `app.db` takes any event loop, so the saves use several connections.
                    let database = app.db
                    group.addTask {
                        var dto = ProjectDTO(title: "Projet simultané numéro \(index)")
                        dto.stage = .exploration
                        do {
                            _ = try await ItemWriter(database: database).save(ProjectKind.self, dto)
                            return nil
                        } catch {
                            return "\(index): \(error)"
                        }
                    }
                }
                var failures: [String] = []
                for await failure in group { if let failure { failures.append(failure) } }
                return failures
            }
            #expect(failures.isEmpty, "\(failures.prefix(3))")
            #expect(try await Project.query(on: app.db).count() == count)
            let search = try await SearchService(database: app.db, reader: .anonymous)
                .search(SearchRequest(query: SearchQuery.parse("simultané"), type: .projects))
            #expect(search.total == count)
        } catch {
            try await app.asyncShutdown()
            throw error
        }
        try await app.asyncShutdown()
    }
}
