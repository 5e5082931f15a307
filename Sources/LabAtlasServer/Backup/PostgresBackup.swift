import Foundation
import Vapor

/// Backup and restore of a PostgreSQL database with PostgreSQL's own tools:
/// `pg_dump` reads from one snapshot (a consistent backup while the server
/// writes), `pg_restore` in a single transaction applies all of it or nothing.
struct PostgresBackup {
    let url: String
    /// Set when the application lives in a schema of its own (the tests): only that schema is saved.
    let schema: String?
    let application: Application

    func backup(to file: String) async throws -> Int64 {
        let pgDump = try PostgresTools.find("pg_dump", for: "backup")
        return try await DurableFile.writeWhole(file) { partial in
            var arguments = ["--format=custom", "--no-password", "--file=\(partial)"]
            if let schema { arguments.append("--schema=\(schema)") }
            let dump = try await PostgresTools.run(pgDump, arguments, connection: url)
            guard dump.succeeded else {
                throw CommandFailure("backup: pg_dump failed for \(PostgresTools.redacted(url)): \(dump.lastErrorLine)")
            }
            _ = try await Self.checkArchive(partial, describedAs: "backup: the dump of \(PostgresTools.redacted(url))")
        }
    }

    /// `--clean --if-exists` replaces the objects the backup holds, `--single-transaction`
    /// makes a failure change nothing, `--no-owner` lets another role restore it.
    func restore(from file: String) async throws {
        _ = try await Self.checkArchive(file, describedAs: "restore: \(file)")
        let pgRestore = try PostgresTools.find("pg_restore", for: "restore")
        let database = PostgresTools.connectionEnvironment(url)["PGDATABASE"] ?? "postgres"
        let restore = try await PostgresTools.run(pgRestore, [
            "--clean", "--if-exists", "--single-transaction", "--exit-on-error", "--no-owner", "--no-privileges",
            "--no-password", "--dbname=\(database)", file,
        ], connection: url)
        guard restore.succeeded else {
            throw CommandFailure("restore: pg_restore failed, nothing was changed in \(PostgresTools.redacted(url)): \(restore.lastErrorLine)")
        }
        // Connections opened before the restore may hold plans of dropped tables.
        try await BlockingWork.run { application.databases.reinitialize() }
    }

    /// Is `path` a pg_dump archive of a LabAtlas database? Answers its table of contents.
    static func checkArchive(_ path: String, describedAs name: String) async throws -> String {
        guard DurableFile.exists(path) else { throw CommandFailure("\(name): no such file") }
        let pgRestore = try PostgresTools.find("pg_restore", for: "restore")
        let listing = try await PostgresTools.run(pgRestore, ["--list", path], connection: nil)
        guard listing.succeeded else {
            throw CommandFailure("\(name): not a PostgreSQL backup made by labatlas backup (\(listing.lastErrorLine))")
        }
        guard listing.output.contains("TABLE DATA") && listing.output.contains("_fluent_migrations") else {
            throw CommandFailure("\(name): a PostgreSQL backup, but not of a LabAtlas database (no _fluent_migrations table)")
        }
        return listing.output
    }
}

/// Finding and running `pg_dump` / `pg_restore`.
enum PostgresTools {
    struct Outcome {
        let status: Int32
        let output: String
        let errors: String
        var succeeded: Bool { status == 0 }
        var lastErrorLine: String {
            errors.split(whereSeparator: \.isNewline).last.map(String.init) ?? "exit status \(status)"
        }
    }

    /// The `PATH` first (what the administrator chose), then Debian's
    /// `/usr/lib/postgresql/<version>/bin`, newest version first: `pg_dump`
    /// refuses a server newer than itself.
    static func find(_ tool: String, for command: String) throws -> String {
        var directories = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map(String.init)
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? []
        directories += versions.sorted { $0.compare($1, options: .numeric) == .orderedDescending }
            .map { "/usr/lib/postgresql/\($0)/bin" }
        for directory in directories where !directory.isEmpty {
            let candidate = URL(fileURLWithPath: directory).appendingPathComponent(tool).path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        throw CommandFailure("\(command): \(tool) not found in PATH or /usr/lib/postgresql/*/bin (install the PostgreSQL client tools, e.g. apt-get install postgresql-client)")
    }

    static func run(_ executable: String, _ arguments: [String], connection url: String?) async throws -> Outcome {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        if let url { environment.merge(connectionEnvironment(url)) { _, new in new } }
        process.environment = environment
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        process.standardInput = FileHandle.nullDevice
        let finished = AsyncStream<Int32>.makeStream()
        process.terminationHandler = { finished.continuation.yield($0.terminationStatus); finished.continuation.finish() }
        try process.run()
        // Both pipes are drained while the tool runs, so a long listing cannot fill one and stall it.
        async let outputData = BlockingWork.run { output.fileHandleForReading.readDataToEndOfFile() }
        async let errorData = BlockingWork.run { errors.fileHandleForReading.readDataToEndOfFile() }
        let (outputBytes, errorBytes) = try await (outputData, errorData)
        var status: Int32 = -1
        for await code in finished.stream { status = code }
        return Outcome(status: status, output: String(decoding: outputBytes, as: UTF8.self),
                       errors: String(decoding: errorBytes, as: UTF8.self))
    }

    /// libpq's environment variables for a `DATABASE_URL`: the password stays
    /// out of the process list, where a `--dbname=postgres://…` argument would show it.
    static func connectionEnvironment(_ url: String) -> [String: String] {
        guard let components = URLComponents(string: url) else { return [:] }
        var environment: [String: String] = ["PGAPPNAME": "labatlas"]
        let scheme = components.scheme ?? "postgres"
        if scheme.hasSuffix("+uds") {
            // postgres+uds://user@localhost/path/to/.s.PGSQL.5432#database
            let socket = URL(fileURLWithPath: components.path)
            environment["PGHOST"] = socket.deletingLastPathComponent().path
            if let port = socket.lastPathComponent.split(separator: ".").last, Int(port) != nil { environment["PGPORT"] = String(port) }
            environment["PGDATABASE"] = components.fragment
        } else {
            environment["PGHOST"] = components.host
            environment["PGPORT"] = components.port.map(String.init)
            let database = String(components.path.drop(while: { $0 == "/" }))
            environment["PGDATABASE"] = database.isEmpty ? nil : (database.removingPercentEncoding ?? database)
        }
        environment["PGUSER"] = components.user.map { $0.removingPercentEncoding ?? $0 }
        environment["PGPASSWORD"] = components.password.map { $0.removingPercentEncoding ?? $0 }
        // postgres-kit's TLS names (and their aliases) in libpq's words.
        let tlsNames = ["tlsmode", "sslmode", "ssl", "tls"]
        if let mode = components.queryItems?.last(where: { tlsNames.contains($0.name.lowercased()) })?.value {
            switch mode {
            case "disable", "false": environment["PGSSLMODE"] = "disable"
            case "prefer", "allow", "true": environment["PGSSLMODE"] = "prefer"
            case "verify-ca", "verify-full": environment["PGSSLMODE"] = mode
            default: environment["PGSSLMODE"] = "require"
            }
        }
        return environment
    }

    /// The URL without its password, fit for a message.
    static func redacted(_ url: String) -> String {
        guard var components = URLComponents(string: url), components.password != nil else { return url }
        components.password = "***"
        return components.string ?? "the PostgreSQL database"
    }
}
