import Fluent
import FluentPostgresDriver
import FluentSQLiteDriver
import Foundation
import Leaf
import NIOCore
import SQLKit
import Vapor

/// Where LabAtlas keeps its data, decided from the command line and the environment.
public struct StorageSettings: Sendable {
    public enum Store: Sendable {
        case sqliteFile(String)
        case sqliteMemory
        /// A PostgreSQL URL, and optionally a schema of its own (tests use one each).
        case postgres(String, schema: String? = nil)
    }
    public var store: Store

    public init(store: Store) { self.store = store }

    /// `DATABASE_URL=postgres://…` selects PostgreSQL; otherwise `labatlas.sqlite` in the data dir
    /// (`--data-dir`, else `LABATLAS_DATA_DIR`, else `./data`).
    public static func fromEnvironment(dataDir: String?) -> StorageSettings {
        if let url = Environment.get("DATABASE_URL"), !url.isEmpty {
            return StorageSettings(store: .postgres(url, schema: nil))
        }
        let directory = dataDir ?? Environment.get("LABATLAS_DATA_DIR") ?? "./data"
        return StorageSettings(store: .sqliteFile(URL(fileURLWithPath: directory).appendingPathComponent("labatlas.sqlite").path))
    }
}

public func configure(_ app: Application, storage: StorageSettings) async throws {
    app.storage[StorageSettingsKey.self] = storage
    // Writers queue, one at a time on either database (see `writeTransaction`),
    // each holding a connection while it waits: a burst of saves on a busy
    // machine waits longer than Fluent's 10 s default rather than failing.
    let connectionWait = TimeAmount.seconds(30)
    switch storage.store {
    case .sqliteFile(let path):
        try FileManager.default.createDirectory(atPath: URL(fileURLWithPath: path).deletingLastPathComponent().path,
                                                withIntermediateDirectories: true)
        app.databases.use(.sqlite(.file(path), connectionPoolTimeout: connectionWait), as: .sqlite)
    case .sqliteMemory:
        app.databases.use(.sqlite(.memory, connectionPoolTimeout: connectionWait), as: .sqlite)
    case .postgres(let url, let schema):
        var configuration = try SQLPostgresConfiguration(url: url)
        if let schema { configuration.searchPath = [schema] }
        app.databases.use(.postgres(configuration: configuration, maxConnectionsPerEventLoop: 4,
                                    connectionPoolTimeout: connectionWait), as: .psql)
        if let schema, let sql = app.db as? any SQLDatabase {
            _ = try await sql.raw("CREATE SCHEMA IF NOT EXISTS \(ident: schema)").all()
        }
    }
    if case .sqliteFile = storage.store, let sql = app.db as? any SQLDatabase {
        // WAL lets readers work during a write; the setting is stored in the file itself.
        _ = try await sql.raw("PRAGMA journal_mode=WAL").all()
        try await configureSQLiteConnections(app)
    }

    if let smtp = Environment.get("SMTP_URL"), !smtp.isEmpty {
        do {
            app.storage[SMTPSettingsKey.self] = try SMTPURL(string: smtp)
        } catch {
            throw ConfigurationError(String(describing: error))
        }
    }
    app.storage[BcryptCostKey.self] = app.environment == .testing ? 4 : 12

    for migration in Migrations001.all + Migrations002.all + Migrations003.all + Migrations004.all + Migrations005.all
        + Migrations006.all + Migrations007.all + Migrations008.all + Migrations009.all + Migrations010.all {
        app.migrations.add(AtomicMigration(wrapped: migration))
    }

    let encoder = JSONEncoder()
    encoder.dateEncodingStrategy = .iso8601
    encoder.outputFormatting = [.withoutEscapingSlashes, .sortedKeys]
    ContentConfiguration.global.use(encoder: encoder, for: .json)
    let decoder = JSONDecoder()
    decoder.dateDecodingStrategy = .iso8601
    ContentConfiguration.global.use(decoder: decoder, for: .json)

    app.views.use(.leaf)
    app.leaf.cache.isEnabled = app.environment.isRelease
    app.leaf.configuration.rootDirectory = app.directory.viewsDirectory
    app.leaf.tags["some"] = SomeTag()
    let concurrentRequests = RequestQueueMiddleware.concurrentRequests(environment: Environment.get("LABATLAS_CONCURRENT_REQUESTS"))
    let readQueue = FairQueue(permits: concurrentRequests)
    app.visitorPages = VisitorPageCache(
        capacity: VisitorPageCache.capacity(environment: Environment.get("LABATLAS_PAGE_CACHE_MB")),
        lag: .from(environment: Environment.get("LABATLAS_VISITOR_LAG_MS"), isBusy: { readQueue.waitingCount > 0 }))
    app.visitorCards = VisitorCardCache(capacity: VisitorCardCache.capacity(pageBytes: app.visitorPages.capacity))
    app.visitorJSON = VisitorJSONCache(capacity: VisitorJSONCache.capacity(pageBytes: app.visitorPages.capacity))
    app.lifecycle.use(VisitorPageCacheReport())
    let requestTimes = RequestTimes.isWanted(environment: Environment.get("LABATLAS_REQUEST_TIMES")) ? RequestTimes() : nil
    // Registered before the drain, as the kept pages' report: said once the last request is answered.
    if let requestTimes { app.lifecycle.use(RequestTimesReport(times: requestTimes)) }

    // Sessions live in the database, so every instance behind a load balancer shares them.
    app.sessions.use(.fluent)
    let secureCookie = Environment.get("LABATLAS_PUBLIC_URL")?.lowercased().hasPrefix("https://") == true
    app.sessions.configuration = SessionsConfiguration(cookieName: "labatlas_session") { sessionID in
        HTTPCookies.Value(string: sessionID.string, expires: Date().addingTimeInterval(60 * 60 * 24 * 14),
                          maxAge: nil, domain: nil, path: "/", isSecure: secureCookie, isHTTPOnly: true, sameSite: .lax)
    }

    // Registered before the drain, so that it closes after it (handlers stop in reverse order).
    if case .sqliteFile(let path) = storage.store {
        let writer = SQLiteWriter(path: path, connectionWait: connectionWait)
        app.lifecycle.use(SQLiteWriterShutdown(writer: writer))
        try await configureSQLiteConnection(writer.database(logger: app.logger))
        if !(await writer.raisePriority()) {
            app.logger.debug("The saves' threads keep the reads' priority: raising it needs CAP_SYS_NICE or a nice limit (RLIMIT_NICE, systemd's LimitNICE).")
        }
        app.sqliteWriter = writer
    }
    let requestsInFlight = RequestsInFlight()
    app.requestsInFlight = requestsInFlight
    let backgroundWrites = BackgroundWrites()
    app.backgroundWrites = backgroundWrites
    app.lifecycle.use(DrainRequestsOnShutdown(requests: requestsInFlight, backgroundWrites: backgroundWrites))
    // In this order; the async ones on either side of the sessions' run as one task each.
    app.middleware = Middlewares()
    let timing: [any AsyncMiddleware] = requestTimes.map { [RequestTimingMiddleware(times: $0)] } ?? []
    app.middleware.use(AsyncMiddlewareChain(timing + (app.sqliteWriter.map { [SQLiteWriterMiddleware(writer: $0)] } ?? []) + [
        RequestsInFlightMiddleware(requests: requestsInFlight),
        SecurityHeadersMiddleware(),
        PageErrorMiddleware(environment: app.environment),
        FileMiddleware(publicDirectory: app.directory.publicDirectory, defaultFile: nil),
        RequestQueueMiddleware(queue: readQueue, waitingLimit: RequestQueueMiddleware.waitingLimit(
            environment: Environment.get("LABATLAS_QUEUE_LIMIT"), concurrentRequests: concurrentRequests)),
    ] + (requestTimes == nil ? [] : [RequestServedMiddleware()])))
    app.middleware.use(app.sessions.middleware)
    app.middleware.use(AsyncMiddlewareChain([ReaderMiddleware(), CSRFMiddleware()]))

    app.asyncCommands.use(MigrateNowCommand(), as: "migrate")
    app.asyncCommands.use(DemoCommand(), as: "demo")
    app.asyncCommands.use(UserCommand(), as: "user")
    app.asyncCommands.use(TokenCommand(), as: "token")
    app.asyncCommands.use(ReindexCommand(), as: "reindex")
    app.asyncCommands.use(BackupCommand(), as: "backup")
    app.asyncCommands.use(RestoreCommand(), as: "restore")
    app.asyncCommands.use(BenchLoadCommand(), as: "bench-load")
    app.asyncCommands.use(BenchSearchCommand(), as: "bench-search")

    // Forms carry long Markdown texts: 1 MB, well above any real item, well below harm.
    app.routes.defaultMaxBodySize = "1mb"

    try routes(app)
}

/// SQLite's page cache is 2 MB by default: a large atlas's indexes then come
/// from the operating system page by page. Each connection (one per event
/// loop, kept by the pool, and the saves' own, `SQLiteWriter`) gets
/// `LABATLAS_SQLITE_CACHE_MB` (default 64).
/// A writer that finds the database locked by another (a connection of
/// another event loop, a command run beside the server) waits for it up to
/// 10 s instead of failing at once; write transactions take the lock first
/// (`writeTransaction`), so they queue rather than fail.
private func configureSQLiteConnections(_ app: Application) async throws {
    for eventLoop in app.eventLoopGroup.makeIterator() {
        guard let database = app.databases.database(logger: app.logger, on: eventLoop) else { continue }
        try await configureSQLiteConnection(database)
    }
}

/// One connection's settings, the reading ones' and the saves' own (`SQLiteWriter`).
private func configureSQLiteConnection(_ database: any Database) async throws {
    guard let sql = database as? any SQLDatabase else { return }
    let megabytes = Environment.get("LABATLAS_SQLITE_CACHE_MB").flatMap { Int($0) }.map { max(2, min($0, 65_536)) } ?? 64
    _ = try await sql.raw("PRAGMA cache_size = \(unsafeRaw: String(-megabytes * 1024))").all()
    _ = try await sql.raw("PRAGMA busy_timeout = 10000").all()
    // Saves that share a transaction each run in a savepoint, whose journal
    // (the pages it changes, as they were) SQLite writes to a temporary file
    // past its first 64 kB: a write system call per page under load. In
    // memory it costs a copy.
    _ = try await sql.raw("PRAGMA temp_store = MEMORY").all()
}

/// A setting that makes starting impossible, said in one line.
struct ConfigurationError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
