import Fluent
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
        try await withApp(storage: storage) { app in
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
        }
    }

    /// Saves queued behind a busy writer share one transaction; one that fails
    /// inside it takes back its own changes only, and each caller gets its own answer.
    @Test func savesSharingACommitFailAlone() async throws {
        try await withWriter { app, writer in
            let gate = Gate()
            // The first save holds the writer until the others have queued behind it.
            async let first: Void = app.db.writeTransaction { transaction in
                await gate.wait()
                try await Self.save("Projet en tête de file", on: transaction)
            }
            _ = await waitUntil({ writer.isWriting }, within: .seconds(10))
            let outcomes = await withTaskGroup(of: (Int, Bool).self) { group in
                for index in 0..<8 {
                    let database = app.db
                    group.addTask {
                        do {
                            try await database.writeTransaction { transaction in
                                try await Self.save("Projet groupé \(index)", on: transaction)
                                if index % 3 == 1 { throw RefusedSave() }
                            }
                            return (index, true)
                        } catch is RefusedSave {
                            return (index, false)
                        } catch {
                            Issue.record("save \(index): \(error)")
                            return (index, false)
                        }
                    }
                }
                _ = await waitUntil({ writer.queuedSaves == 8 }, within: .seconds(10))
                await gate.open()
                var outcomes: [Int: Bool] = [:]
                for await (index, saved) in group { outcomes[index] = saved }
                return outcomes
            }
            try await first
            for index in 0..<8 { #expect(outcomes[index] == (index % 3 != 1), "save \(index)") }
            let titles = Set(try await Project.query(on: app.db).all().map(\.title))
            #expect(titles.contains("Projet en tête de file"))
            for index in 0..<8 {
                #expect(titles.contains("Projet groupé \(index)") == (index % 3 != 1), "project \(index)")
            }
            let search = try await SearchService(database: app.db, reader: .anonymous)
                .search(SearchRequest(query: SearchQuery.parse("groupé"), type: .projects))
            #expect(search.total == 5)
        }
    }

    /// While a save holds the writer, reads on every connection are served.
    @Test func readsAreServedWhileASaveHoldsTheWriter() async throws {
        try await withWriter { app, writer in
            let gate = Gate()
            async let save: Void = app.db.writeTransaction { transaction in
                try await Self.save("Projet qui attend", on: transaction)
                await gate.wait()
            }
            _ = await waitUntil({ writer.isWriting }, within: .seconds(10))
            // Bounded: a read stuck behind the save would otherwise wait for ever.
            let served = try await withThrowingTaskGroup(of: Bool.self) { group in
                group.addTask {
                    for eventLoop in app.eventLoopGroup.makeIterator() {
                        let database = try #require(app.databases.database(logger: app.logger, on: eventLoop))
                        // The save is not committed yet: reads see the atlas without it.
                        #expect(try await Project.query(on: database).filter(\.$title == "Projet qui attend").count() == 0)
                    }
                    return true
                }
                group.addTask {
                    try await Task.sleep(for: .seconds(10))
                    await gate.open()  // lets a stuck read end, so that the test fails rather than hangs
                    return false
                }
                let first = try await group.next() ?? false
                group.cancelAll()
                return first
            }
            #expect(served, "reads waited for the save")
            await gate.open()
            try await save
            #expect(try await Project.query(on: app.db).filter(\.$title == "Projet qui attend").count() == 1)
        }
    }

    private static func save(_ title: String, on database: any Database) async throws {
        var dto = ProjectDTO(title: title)
        dto.stage = .exploration
        _ = try await ItemWriter(database: database).save(ProjectKind.self, dto)
    }

    private struct RefusedSave: Error {}

    /// An application on an SQLite file, as served, with its writer made the
    /// one saves use (as `SQLiteWriterMiddleware` does for a request).
    private func withWriter(_ body: (Application, SQLiteWriter) async throws -> Void) async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("labatlas-writer-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        try await withApp(storage: StorageSettings(store: .sqliteFile(directory.appendingPathComponent("labatlas.sqlite").path))) { app in
            let writer = try #require(app.sqliteWriter)
            try await SQLiteWriter.$current.withValue(writer) { try await body(app, writer) }
        }
    }
}

/// Holds its waiters until opened.
private actor Gate {
    private var isOpen = false
    private var waiters: [CheckedContinuation<Void, Never>] = []

    func wait() async {
        if isOpen { return }
        await withCheckedContinuation { waiters.append($0) }
    }

    func open() {
        isOpen = true
        waiters.forEach { $0.resume() }
        waiters = []
    }
}
