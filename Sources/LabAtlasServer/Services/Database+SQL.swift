import Fluent
import SQLKit
import Vapor

extension Database {
    /// Both supported drivers speak SQL; this fails loudly on any other.
    var sql: any SQLDatabase {
        get throws {
            guard let sql = self as? any SQLDatabase else { throw StorageError.notSQL }
            return sql
        }
    }

    var isPostgres: Bool { (self as? any SQLDatabase)?.isPostgresDialect == true }
}

extension Application {
    /// The database through another event loop's connections when there is one:
    /// SQLite keeps one connection per event loop, so two queries of one request
    /// run side by side only on two loops.
    func database(besides eventLoop: any EventLoop, logger: Logger) -> any Database {
        let other = eventLoopGroup.makeIterator().first { $0 !== eventLoop } ?? eventLoop
        return databases.database(logger: logger, on: other)!
    }
}

extension SQLDatabase {
    var isPostgresDialect: Bool { dialect.name == "postgresql" }
}

extension SQLGroupExpression {
    /// `(a OR b OR …)` of one predicate or more: grouped, so that a condition
    /// ANDed beside it (SQLKit joins `where`s with a bare AND) takes the whole.
    static func anyOf(_ predicates: [any SQLExpression]) -> SQLGroupExpression {
        SQLGroupExpression(predicates.dropFirst().reduce(predicates[0]) {
            SQLBinaryExpression(left: $0, op: SQLBinaryOperator.or, right: $1)
        })
    }
}

/// A LIKE pattern for text holding `text` anywhere, bound as a value, its
/// wildcards escaped with `!` (a character no dialect treats specially in a literal).
struct EscapedLikePattern: SQLExpression {
    let pattern: String

    init(containing text: String) {
        var escaped = ""
        for character in text {
            if character == "!" || character == "%" || character == "_" { escaped.append("!") }
            escaped.append(character)
        }
        pattern = "%" + escaped + "%"
    }

    func serialize(to serializer: inout SQLSerializer) {
        SQLBind(pattern).serialize(to: &serializer)
        serializer.write(" ESCAPE '!'")
    }
}

enum StorageError: Error, CustomStringConvertible {
    case notSQL
    var description: String { "the configured database does not speak SQL" }
}
