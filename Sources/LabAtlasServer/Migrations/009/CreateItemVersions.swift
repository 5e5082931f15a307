import Fluent
import SQLKit
import LabAtlasCore

/// Migration 009: a version for each item (`item_versions`), which changes
/// when anything its detail page or JSON shows of it or of the items linked
/// to it changes: its own row, a link from or to it, the row of an item that
/// points at it (whose card its page shows). A new project then leaves the
/// pages of every item but its labs as they were kept (`VisitorPageCache`),
/// where the versions of its type (migration 008) changed them all.
///
/// Triggers, for the reasons of migration 008: no way of writing items can
/// leave a kept page behind. An item without a row has never been written
/// since: version 0. Versions are random 64-bit numbers, so that a restored
/// backup returns to exactly its own.
enum Migrations009 {
    static let all: [any Migration] = [CreateItemVersions()]
}

struct CreateItemVersions: AsyncMigration {
    func prepare(on database: any Database) async throws {
        let sql = try database.sql
        try await database.schema(ItemVersions.table)
            .field("item_id", .uuid, .identifier(auto: false))
            .field("version", .int64, .required)
            .create()
        for statement in Self.createTriggers(postgres: database.isPostgres) {
            try await sql.raw(SQLQueryString(statement)).run()
        }
    }

    func revert(on database: any Database) async throws {
        let sql = try database.sql
        for statement in Self.dropTriggers(postgres: database.isPostgres) {
            try await sql.raw(SQLQueryString(statement)).run()
        }
        try await database.schema(ItemVersions.table).delete()
    }

    /// Gives the items that `ids` (a query of one column, `id`) selects new versions.
    static func bump(_ ids: String, postgres: Bool) -> String {
        let random = CreateContentVersions.random(postgres: postgres)
        // `WHERE true`: SQLite would read the upsert's ON as a join's.
        return """
            INSERT INTO \(ItemVersions.table) (item_id, version) SELECT id, \(random) FROM (\(ids)) AS bumped WHERE true
            ON CONFLICT (item_id) DO UPDATE SET version = excluded.version
            """
    }

    /// The item itself, and the items whose pages show its card: those it points at.
    static func bumpItem(_ row: String, postgres: Bool) -> [String] {
        [bump("SELECT \(row).id AS id", postgres: postgres),
         bump("SELECT DISTINCT target_id AS id FROM item_links WHERE source_id = \(row).id", postgres: postgres)]
    }

    /// Both ends of a link.
    static func bumpLink(_ row: String, postgres: Bool) -> String {
        bump("SELECT \(row).source_id AS id UNION SELECT \(row).target_id", postgres: postgres)
    }

    static func createTriggers(postgres: Bool) -> [String] {
        if postgres {
            return [
                """
                CREATE FUNCTION labatlas_item_version() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                  IF TG_OP = 'DELETE' THEN
                    \(bumpItem("OLD", postgres: true).joined(separator: ";\n    "));
                  ELSE
                    \(bumpItem("NEW", postgres: true).joined(separator: ";\n    "));
                  END IF;
                  RETURN NULL;
                END
                $$
                """,
                """
                CREATE FUNCTION labatlas_link_version() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                  IF TG_OP <> 'INSERT' THEN \(bumpLink("OLD", postgres: true)); END IF;
                  IF TG_OP <> 'DELETE' THEN \(bumpLink("NEW", postgres: true)); END IF;
                  RETURN NULL;
                END
                $$
                """,
                """
                CREATE TRIGGER item_links_item_version AFTER INSERT OR UPDATE OR DELETE ON \(ItemLink.schema)
                FOR EACH ROW EXECUTE FUNCTION labatlas_link_version()
                """,
            ] + ItemType.allCases.map { type in
                """
                CREATE TRIGGER \(type.table)_item_version AFTER INSERT OR UPDATE OR DELETE ON \(type.table)
                FOR EACH ROW EXECUTE FUNCTION labatlas_item_version()
                """
            }
        }
        let links = [("insert", "INSERT", ["NEW"]), ("update", "UPDATE", ["OLD", "NEW"]), ("delete", "DELETE", ["OLD"])].map { suffix, event, rows in
            """
            CREATE TRIGGER item_links_item_version_\(suffix) AFTER \(event) ON \(ItemLink.schema) BEGIN
            \(rows.map { bumpLink($0, postgres: false) + ";" }.joined(separator: "\n"))
            END
            """
        }
        return links + ItemType.allCases.flatMap { type in
            [("insert", "INSERT", "NEW"), ("update", "UPDATE", "NEW"), ("delete", "DELETE", "OLD")].map { suffix, event, row in
                """
                CREATE TRIGGER \(type.table)_item_version_\(suffix) AFTER \(event) ON \(type.table) BEGIN
                \(bumpItem(row, postgres: false).map { $0 + ";" }.joined(separator: "\n"))
                END
                """
            }
        }
    }

    static func dropTriggers(postgres: Bool) -> [String] {
        if postgres {
            return ItemType.allCases.map { "DROP TRIGGER IF EXISTS \($0.table)_item_version ON \($0.table)" }
                + ["DROP TRIGGER IF EXISTS item_links_item_version ON \(ItemLink.schema)",
                   "DROP FUNCTION IF EXISTS labatlas_item_version()", "DROP FUNCTION IF EXISTS labatlas_link_version()"]
        }
        return ItemType.allCases.flatMap { type in ["insert", "update", "delete"].map { "DROP TRIGGER IF EXISTS \(type.table)_item_version_\($0)" } }
            + ["insert", "update", "delete"].map { "DROP TRIGGER IF EXISTS item_links_item_version_\($0)" }
    }
}
