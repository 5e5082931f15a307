import Fluent
import SQLKit
import LabAtlasCore

/// Migration 008: a version per item type (`content_versions`), which every
/// write to the type's table changes: what lets an instance keep the pages it
/// served to visitors and know, with one read, whether they still hold
/// (`VisitorPageCache`).
///
/// Triggers, not Swift code, so that no way of writing items (saves, imports,
/// restores, a raw statement, a later feature) can leave a kept page behind.
/// A version is a random 64-bit number rather than a counter: a database
/// restored from a backup gets the versions it had then, which name exactly
/// the state it returns to, where a counter could come back to a number an
/// instance had already seen for other content.
///
/// Links and facet rows are written with their item's row, in the same
/// transaction (`ItemWriter`), so the item tables' triggers cover them.
enum Migrations008 {
    static let all: [any Migration] = [CreateContentVersions()]
}

struct CreateContentVersions: AsyncMigration {
    func prepare(on database: any Database) async throws {
        let sql = try database.sql
        let postgres = database.isPostgres
        try await sql.raw("CREATE TABLE \(ident: ContentVersions.table) (item_type TEXT PRIMARY KEY, version BIGINT NOT NULL)").run()
        for type in ItemType.allCases {
            try await sql.raw("""
                INSERT INTO \(ident: ContentVersions.table) (item_type, version) VALUES (\(bind: type.rawValue), \(unsafeRaw: Self.random(postgres: postgres)))
                """).run()
        }
        for statement in Self.createTriggers(postgres: postgres) {
            try await sql.raw(SQLQueryString(statement)).run()
        }
    }

    func revert(on database: any Database) async throws {
        let sql = try database.sql
        for statement in Self.dropTriggers(postgres: database.isPostgres) {
            try await sql.raw(SQLQueryString(statement)).run()
        }
        try await sql.raw("DROP TABLE IF EXISTS \(ident: ContentVersions.table)").run()
    }

    /// A random 64-bit number, in SQL.
    static func random(postgres: Bool) -> String {
        postgres ? "CAST(floor((random() - 0.5) * 1.8e19) AS BIGINT)" : "random()"
    }

    static func createTriggers(postgres: Bool) -> [String] {
        let bump = "UPDATE \(ContentVersions.table) SET version = \(random(postgres: postgres))"
        if postgres {
            // One change of version a statement, however many rows it writes.
            return ["""
                CREATE FUNCTION labatlas_content_version() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                  \(bump) WHERE item_type = TG_ARGV[0];
                  RETURN NULL;
                END
                $$
                """] + ItemType.allCases.map { type in
                """
                CREATE TRIGGER \(type.table)_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON \(type.table)
                FOR EACH STATEMENT EXECUTE FUNCTION labatlas_content_version('\(type.rawValue)')
                """
            }
        }
        return ItemType.allCases.flatMap { type in
            ["insert", "update", "delete"].map { event in
                """
                CREATE TRIGGER \(type.table)_version_\(event) AFTER \(event.uppercased()) ON \(type.table) BEGIN
                \(bump) WHERE item_type = '\(type.rawValue)';
                END
                """
            }
        }
    }

    static func dropTriggers(postgres: Bool) -> [String] {
        if postgres {
            return ItemType.allCases.map { "DROP TRIGGER IF EXISTS \($0.table)_version ON \($0.table)" }
                + ["DROP FUNCTION IF EXISTS labatlas_content_version()"]
        }
        return ItemType.allCases.flatMap { type in
            ["insert", "update", "delete"].map { "DROP TRIGGER IF EXISTS \(type.table)_version_\($0)" }
        }
    }
}
