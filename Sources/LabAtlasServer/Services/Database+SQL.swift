import Fluent
import SQLKit

extension Database {
    /// Both supported drivers speak SQL; this fails loudly on any other.
    var sql: any SQLDatabase {
        get throws {
            guard let sql = self as? any SQLDatabase else { throw StorageError.notSQL }
            return sql
        }
    }

    var isPostgres: Bool { (self as? any SQLDatabase)?.dialect.name == "postgresql" }
}

enum StorageError: Error, CustomStringConvertible {
    case notSQL
    var description: String { "the configured database does not speak SQL" }
}
