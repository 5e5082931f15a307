import Fluent
import SQLKit
import LabAtlasCore

/// Migration 008: versions of each item type's content (`content_versions`),
/// which writes to the type's table change: what lets an instance keep the
/// pages it served to visitors and know, with one read, whether they still
/// hold (`VisitorPageCache`).
///
/// Two versions a type: `version` changes at every write; `reference_version`
/// only when what other types' pages show of an item changes — its name, slug,
/// visibility, deletion, a lab's region (`ItemRef`). A new project then leaves
/// the lists of sessions as they were, though sessions point at projects.
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
        try await sql.raw("""
            CREATE TABLE \(ident: ContentVersions.table) (item_type TEXT PRIMARY KEY, version BIGINT NOT NULL, reference_version BIGINT NOT NULL)
            """).run()
        for type in ItemType.allCases {
            try await sql.raw("""
                INSERT INTO \(ident: ContentVersions.table) (item_type, version, reference_version)
                VALUES (\(bind: type.rawValue), \(unsafeRaw: Self.random(postgres: postgres)), \(unsafeRaw: Self.random(postgres: postgres)))
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

    /// The columns other types' pages show of an item (`ItemRef`), besides its visibility and deletion.
    static func referenceColumns(of type: ItemType) -> [String] {
        [type.titleColumn, "slug", "visibility", "deleted_at"] + (type == .labs ? ["region"] : [])
    }

    /// An update's condition: a value other pages show has changed. Saves
    /// write every field, changed or not: the values are compared, not the columns named.
    static func referenceChanged(_ type: ItemType, differ: String) -> String {
        referenceColumns(of: type).map { "OLD.\($0) \(differ) NEW.\($0)" }.joined(separator: " OR ")
    }

    static func createTriggers(postgres: Bool) -> [String] {
        func bump(_ columns: [String], _ type: String) -> String {
            "UPDATE \(ContentVersions.table) SET " + columns.map { "\($0) = \(random(postgres: postgres))" }.joined(separator: ", ")
                + " WHERE item_type = \(type)"
        }
        if postgres {
            // Content: one change a statement, however many rows it writes.
            // References: a row trigger, which alone can compare the values.
            return [("content_version", ["version"]), ("reference_version", ["reference_version"])].map { name, columns in
                """
                CREATE FUNCTION labatlas_\(name)() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                  \(bump(columns, "TG_ARGV[0]"));
                  RETURN NULL;
                END
                $$
                """
            } + ItemType.allCases.flatMap { type in
                ["""
                CREATE TRIGGER \(type.table)_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON \(type.table)
                FOR EACH STATEMENT EXECUTE FUNCTION labatlas_content_version('\(type.rawValue)')
                """,
                """
                CREATE TRIGGER \(type.table)_reference_version AFTER UPDATE ON \(type.table)
                FOR EACH ROW WHEN (\(referenceChanged(type, differ: "IS DISTINCT FROM")))
                EXECUTE FUNCTION labatlas_reference_version('\(type.rawValue)')
                """,
                """
                CREATE TRIGGER \(type.table)_reference_version_delete AFTER DELETE OR TRUNCATE ON \(type.table)
                FOR EACH STATEMENT EXECUTE FUNCTION labatlas_reference_version('\(type.rawValue)')
                """]
            }
        }
        return ItemType.allCases.flatMap { type in
            let name = "'\(type.rawValue)'", table = type.table
            return [
                ("insert", "INSERT ON \(table)", bump(["version"], name)),
                ("update", "UPDATE ON \(table)", bump(["version"], name)),
                ("reference_update", "UPDATE ON \(table) WHEN \(referenceChanged(type, differ: "IS NOT"))", bump(["reference_version"], name)),
                ("delete", "DELETE ON \(table)", bump(["version", "reference_version"], name)),
            ].map { suffix, event, statement in
                """
                CREATE TRIGGER \(table)_version_\(suffix) AFTER \(event) BEGIN
                \(statement);
                END
                """
            }
        }
    }

    static func dropTriggers(postgres: Bool) -> [String] {
        if postgres {
            return ItemType.allCases.flatMap { type in
                ["version", "reference_version", "reference_version_delete"].map { "DROP TRIGGER IF EXISTS \(type.table)_\($0) ON \(type.table)" }
            } + ["DROP FUNCTION IF EXISTS labatlas_content_version()", "DROP FUNCTION IF EXISTS labatlas_reference_version()"]
        }
        return ItemType.allCases.flatMap { type in
            ["insert", "update", "reference_update", "delete"].map { "DROP TRIGGER IF EXISTS \(type.table)_version_\($0)" }
        }
    }
}
