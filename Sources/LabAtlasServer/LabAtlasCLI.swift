import Fluent
import Foundation
import Logging
import NIOCore
import NIOPosix
import Vapor

/// The `labatlas` command line: Vapor's commands plus LabAtlas's own, with
/// `--data-dir` and `--demo` understood before Vapor parses the rest.
public enum LabAtlasCLI {
    public struct Options: Equatable, Sendable {
        public var vaporArguments: [String]
        public var dataDir: String?
        public var loadDemo = false
    }

    public enum OptionError: Error, CustomStringConvertible {
        case missingValue(String)
        public var description: String { "option \(self.option) needs a value" }
        var option: String { switch self { case .missingValue(let name): name } }
    }

    /// Takes out the options that belong to LabAtlas rather than Vapor.
    public static func parse(_ arguments: [String]) throws -> Options {
        var rest: [String] = []
        var options = Options(vaporArguments: [])
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            if argument == "--data-dir" {
                guard index + 1 < arguments.count else { throw OptionError.missingValue("--data-dir") }
                options.dataDir = arguments[index + 1]
                index += 2
                continue
            }
            if argument.hasPrefix("--data-dir=") {
                options.dataDir = String(argument.dropFirst("--data-dir=".count))
            } else if argument == "--demo" {
                options.loadDemo = true
            } else {
                rest.append(argument)
            }
            index += 1
        }
        options.vaporArguments = rest
        return options
    }

    /// Runs Swift's tasks on the event loops that serve the connections,
    /// instead of on a pool of their own: a request then no longer hops
    /// between the two at every step (a query's answer, the response), which
    /// served the load benchmark's mix about a tenth faster, p99 a tenth lower,
    /// in back-to-back runs. Nothing may block a task for long since: password
    /// hashing runs on its own thread (`PasswordHashing`), synchronous waits
    /// on `BlockingWork`'s, queries on SQLite's.
    /// Called first thing, from the main thread, before any task runs.
    public static func runTasksOnEventLoops() {
        _ = NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
    }

    public static func main() async {
        let options: Options
        do {
            options = try parse(CommandLine.arguments)
        } catch {
            FileHandle.standardError.write(Data("labatlas: \(error)\n".utf8))
            exit(2)
        }
        var environment: Environment
        do {
            environment = try Environment.detect(arguments: options.vaporArguments)
            try LoggingSystem.bootstrap(from: &environment)
        } catch {
            FileHandle.standardError.write(Data("labatlas: \(error)\n".utf8))
            exit(2)
        }
        let app: Application
        do {
            app = try await Application.make(environment)
        } catch {
            FileHandle.standardError.write(Data("labatlas: \(error)\n".utf8))
            exit(1)
        }
        var failed = false
        do {
            try await configure(app, storage: .fromEnvironment(dataDir: options.dataDir))
            let command = environment.arguments.dropFirst().first ?? "serve"
            if command == "serve" {
                try await app.migrateSafely()
                if options.loadDemo, try await DemoLoader.isDatabaseEmpty(app.db) {
                    let summary = try await DemoLoader(database: app.db).load()
                    app.logger.notice("demo content loaded: \(summary.added) items")
                }
            }
            try await app.execute()
        } catch {
            FileHandle.standardError.write(Data("labatlas: \(error)\n".utf8))
            failed = true
        }
        try? await app.asyncShutdown()
        if failed { exit(1) }
    }
}
