import Foundation
import Testing
import Vapor
import VaporTesting
@testable import LabAtlasServer

/// Storage for one test application: in-memory SQLite, or a schema of its
/// own in the PostgreSQL database named by `DATABASE_URL` (as in `.ci/run`).
func testStorage() -> StorageSettings {
    if let url = ProcessInfo.processInfo.environment["DATABASE_URL"], !url.isEmpty {
        let schema = "test_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(16)
        return StorageSettings(store: .postgres(url, schema: String(schema)))
    }
    return StorageSettings(store: .sqliteMemory)
}

/// A fresh, migrated, empty application for one test, on `storage` (by default `testStorage()`).
func withApp(storage: StorageSettings = testStorage(), _ body: (Application) async throws -> Void) async throws {
    let app = try await Application.make(.testing)
    app.logger.logLevel = .warning
    do {
        try await configure(app, storage: storage)
        try await app.autoMigrate()
        try await body(app)
    } catch {
        try await app.asyncShutdown()
        throw error
    }
    try await app.asyncShutdown()
}

/// One application with the demo content, shared by the read-only tests:
/// loading the demo takes seconds, reading it takes milliseconds.
actor DemoApp {
    static let shared = DemoApp()
    private var loading: Task<Application, any Error>?

    /// The first caller starts loading; every concurrent caller awaits the same task.
    func get() async throws -> Application {
        if let loading { return try await loading.value }
        let task = Task<Application, any Error> {
            let app = try await Application.make(.testing)
            app.logger.logLevel = .warning
            try await configure(app, storage: testStorage())
            try await app.autoMigrate()
            _ = try await DemoLoader(database: app.db).load()
            return app
        }
        loading = task
        return try await task.value
    }
}

func withDemoApp(_ body: (Application) async throws -> Void) async throws {
    try await body(try await DemoApp.shared.get())
}

extension Application {
    /// GET a path and return status and body, through the whole middleware stack.
    func get(_ path: String) async throws -> (status: HTTPStatus, body: String, headers: HTTPHeaders) {
        var result: (HTTPStatus, String, HTTPHeaders) = (.internalServerError, "", [:])
        try await testing().test(.GET, path) { response in
            result = (response.status, response.body.string, response.headers)
        }
        return result
    }

    func getJSON(_ path: String) async throws -> [String: Any] {
        let response = try await get(path)
        #expect(response.status == .ok, "GET \(path) answered \(response.status)")
        let object = try JSONSerialization.jsonObject(with: Data(response.body.utf8))
        return try #require(object as? [String: Any], "GET \(path) is not a JSON object")
    }

    /// Every item of a type through the API, following cursors.
    func allItems(_ type: String, query: String = "") async throws -> [[String: Any]] {
        var items: [[String: Any]] = []
        var cursor: String?
        repeat {
            var path = "/api/v1/\(type)?limit=7"
            if !query.isEmpty { path += "&" + query }
            if let cursor { path += "&cursor=\(cursor)" }
            let page = try await getJSON(path)
            items += try #require(page["items"] as? [[String: Any]])
            cursor = page["next_cursor"] as? String
        } while cursor != nil && items.count < 10_000
        return items
    }
}
