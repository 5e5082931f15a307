import Fluent
import SQLKit
import LabAtlasCore

/// Migration 005: how many live items each type holds, and how many hold each
/// facet value, per visibility (`item_counts`), kept by the database itself.
///
/// The home page and the list pages counted a type's visible items by reading
/// its table whole (149 ms for the home page of an atlas of 100,000 items).
/// Triggers on the item tables and on `item_facets` keep one row per (type,
/// facet, value, visibility) — `facet` and `value` empty for the items
/// themselves — so a visitor's counts are a few rows. Triggers, not Swift
/// code, so that no way of writing an item (saves, imports, restores, a
/// later feature) can forget them; any order of writes inside a transaction
/// keeps the invariant:
///
///     n(type, facet, value, visibility) = live items of that type and
///     visibility with a row (facet, value) in item_facets
///
/// A facet row counts when it is written while its item is live, or when its
/// item becomes live; it stops counting when it is deleted while its item is
/// live, or when its item stops being live (soft or hard delete). A change of
/// visibility moves the item's rows from one visibility to the other.
/// `item_facets` gets a unique index on (item_id, facet, value), so each
/// (item, value) counts once, as readers count it.
enum Migrations005 {
    static let all: [any Migration] = [CreateItemCounts()]
}

struct CreateItemCounts: AsyncMigration {
    func prepare(on database: any Database) async throws {
        let sql = try database.sql
        try await sql.raw("""
            CREATE TABLE item_counts (item_type TEXT NOT NULL, facet TEXT NOT NULL, value TEXT NOT NULL,
                visibility TEXT NOT NULL, n BIGINT NOT NULL, PRIMARY KEY (item_type, facet, value, visibility))
            """).run()
        // Facet rows have always been written once per (item, value); the index makes it a rule.
        try await sql.raw(database.isPostgres
            ? "DELETE FROM item_facets a USING item_facets b WHERE a.item_id = b.item_id AND a.facet = b.facet AND a.value = b.value AND a.id > b.id"
            : "DELETE FROM item_facets WHERE rowid NOT IN (SELECT MIN(rowid) FROM item_facets GROUP BY item_id, facet, value)").run()
        try await sql.raw("CREATE UNIQUE INDEX item_facets_once ON item_facets (item_id, facet, value)").run()
        try await sql.raw("DROP INDEX item_facets_by_item").run()
        // "Upcoming events" is counted on the home page: an index range, not the table.
        try await sql.raw("CREATE INDEX events_by_ends_at ON events (ends_at)").run()
        for statement in ItemCountTriggers.create(postgres: database.isPostgres) {
            try await sql.raw(SQLQueryString(statement)).run()
        }
        try await ItemCounts.recount(on: sql)
    }

    func revert(on database: any Database) async throws {
        let sql = try database.sql
        for statement in ItemCountTriggers.drop(postgres: database.isPostgres) {
            try await sql.raw(SQLQueryString(statement)).run()
        }
        try await sql.raw("DROP TABLE IF EXISTS item_counts").run()
        try await sql.raw("CREATE INDEX IF NOT EXISTS item_facets_by_item ON item_facets (item_id)").run()
        try await sql.raw("DROP INDEX IF EXISTS item_facets_once").run()
        try await sql.raw("DROP INDEX IF EXISTS events_by_ends_at").run()
    }
}

/// The triggers' SQL, for both databases. Every statement adds a signed
/// amount to rows of `item_counts`; `added` and `removed` below are the
/// two shapes, written once per database.
enum ItemCountTriggers {
    /// An upsert that adds `sign` for the item itself and for each of its facet
    /// rows, all under the item's `visibility`. `item` names the item row
    /// (`NEW`/`OLD`), `type` the item type as SQL.
    private static func itemAndFacets(type: String, item: String, sign: Int) -> String {
        """
        INSERT INTO item_counts (item_type, facet, value, visibility, n)
        SELECT \(type), '', '', \(item).visibility, \(sign)
        UNION ALL
        SELECT item_type, facet, value, \(item).visibility, \(sign) FROM item_facets WHERE item_id = \(item).id
        ON CONFLICT (item_type, facet, value, visibility) DO UPDATE SET n = item_counts.n + excluded.n
        """
    }

    /// An upsert that adds `sign` for one facet row under its item's visibility, if the item is live.
    private static func facetRow(table: String, row: String, sign: Int) -> String {
        """
        INSERT INTO item_counts (item_type, facet, value, visibility, n)
        SELECT \(row).item_type, \(row).facet, \(row).value, i.visibility, \(sign) FROM \(table) i
        WHERE i.id = \(row).item_id AND i.deleted_at IS NULL
        ON CONFLICT (item_type, facet, value, visibility) DO UPDATE SET n = item_counts.n + excluded.n
        """
    }

    static func create(postgres: Bool) -> [String] {
        postgres ? createPostgres() : createSQLite()
    }

    static func drop(postgres: Bool) -> [String] {
        if postgres {
            return ItemType.allCases.flatMap { type in
                ["DROP TRIGGER IF EXISTS \(type.table)_counts ON \(type.table)"]
            } + ["DROP TRIGGER IF EXISTS item_facets_counts ON item_facets",
                 "DROP FUNCTION IF EXISTS labatlas_item_counts()", "DROP FUNCTION IF EXISTS labatlas_facet_counts()"]
        }
        return ItemType.allCases.flatMap { type in
            ["insert", "delete", "update"].map { "DROP TRIGGER IF EXISTS \(type.table)_counts_\($0)" }
                + ["insert", "delete"].map { "DROP TRIGGER IF EXISTS item_facets_counts_\($0)_\(type.rawValue)" }
        }
    }

    // MARK: SQLite: one trigger per table and event, one per item type on item_facets.

    private static func createSQLite() -> [String] {
        var statements: [String] = []
        for type in ItemType.allCases {
            let table = type.table
            let name = "'\(type.rawValue)'"
            statements.append("""
                CREATE TRIGGER \(table)_counts_insert AFTER INSERT ON \(table) WHEN NEW.deleted_at IS NULL BEGIN
                \(itemAndFacets(type: name, item: "NEW", sign: 1));
                END
                """)
            statements.append("""
                CREATE TRIGGER \(table)_counts_delete AFTER DELETE ON \(table) WHEN OLD.deleted_at IS NULL BEGIN
                \(itemAndFacets(type: name, item: "OLD", sign: -1));
                END
                """)
            statements.append("""
                CREATE TRIGGER \(table)_counts_update AFTER UPDATE OF visibility, deleted_at ON \(table)
                WHEN (OLD.deleted_at IS NULL) <> (NEW.deleted_at IS NULL) OR OLD.visibility <> NEW.visibility BEGIN
                \(sqliteGuarded(itemAndFacets(type: name, item: "OLD", sign: -1), "OLD.deleted_at IS NULL"));
                \(sqliteGuarded(itemAndFacets(type: name, item: "NEW", sign: 1), "NEW.deleted_at IS NULL"));
                END
                """)
            statements.append("""
                CREATE TRIGGER item_facets_counts_insert_\(type.rawValue) AFTER INSERT ON item_facets
                WHEN NEW.item_type = \(name) BEGIN
                \(facetRow(table: table, row: "NEW", sign: 1));
                END
                """)
            statements.append("""
                CREATE TRIGGER item_facets_counts_delete_\(type.rawValue) AFTER DELETE ON item_facets
                WHEN OLD.item_type = \(name) BEGIN
                \(facetRow(table: table, row: "OLD", sign: -1));
                END
                """)
        }
        return statements
    }

    /// The item-and-facets upsert, run only when `condition` holds: both arms
    /// of its UNION carry the condition (SQLite has no IF in triggers).
    private static func sqliteGuarded(_ upsert: String, _ condition: String) -> String {
        upsert.replacingOccurrences(of: "\nUNION ALL", with: " WHERE \(condition)\nUNION ALL")
            .replacingOccurrences(of: "item_id = ", with: "\(condition) AND item_id = ")
    }

    // MARK: PostgreSQL: two functions, one trigger per table.

    private static func createPostgres() -> [String] {
        var statements: [String] = []
        // TG_ARGV[0] is the item type; NEW/OLD are the item row.
        statements.append("""
            CREATE FUNCTION labatlas_item_counts() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
              IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.deleted_at IS NULL
                 AND (TG_OP = 'DELETE' OR NEW.deleted_at IS NOT NULL OR NEW.visibility <> OLD.visibility) THEN
                INSERT INTO item_counts (item_type, facet, value, visibility, n)
                SELECT TG_ARGV[0], '', '', OLD.visibility, -1
                UNION ALL
                SELECT item_type, facet, value, OLD.visibility, -1 FROM item_facets WHERE item_id = OLD.id
                ON CONFLICT (item_type, facet, value, visibility) DO UPDATE SET n = item_counts.n + excluded.n;
              END IF;
              IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.deleted_at IS NULL
                 AND (TG_OP = 'INSERT' OR OLD.deleted_at IS NOT NULL OR NEW.visibility <> OLD.visibility) THEN
                INSERT INTO item_counts (item_type, facet, value, visibility, n)
                SELECT TG_ARGV[0], '', '', NEW.visibility, 1
                UNION ALL
                SELECT item_type, facet, value, NEW.visibility, 1 FROM item_facets WHERE item_id = NEW.id
                ON CONFLICT (item_type, facet, value, visibility) DO UPDATE SET n = item_counts.n + excluded.n;
              END IF;
              RETURN NULL;
            END
            $$
            """)
        // The item's table comes from the row's type.
        let tables = ItemType.allCases.map { "WHEN '\($0.rawValue)' THEN '\($0.table)'" }.joined(separator: " ")
        statements.append("""
            CREATE FUNCTION labatlas_facet_counts() RETURNS trigger LANGUAGE plpgsql AS $$
            DECLARE
              r RECORD;
              sign INTEGER;
              item_visibility TEXT;
            BEGIN
              IF TG_OP = 'INSERT' THEN r := NEW; sign := 1; ELSE r := OLD; sign := -1; END IF;
              EXECUTE format('SELECT visibility FROM %I WHERE id = $1 AND deleted_at IS NULL',
                             CASE r.item_type \(tables) END)
                INTO item_visibility USING r.item_id;
              IF item_visibility IS NOT NULL THEN
                INSERT INTO item_counts (item_type, facet, value, visibility, n)
                VALUES (r.item_type, r.facet, r.value, item_visibility, sign)
                ON CONFLICT (item_type, facet, value, visibility) DO UPDATE SET n = item_counts.n + excluded.n;
              END IF;
              RETURN NULL;
            END
            $$
            """)
        for type in ItemType.allCases {
            statements.append("""
                CREATE TRIGGER \(type.table)_counts AFTER INSERT OR DELETE OR UPDATE OF visibility, deleted_at ON \(type.table)
                FOR EACH ROW EXECUTE FUNCTION labatlas_item_counts('\(type.rawValue)')
                """)
        }
        statements.append("""
            CREATE TRIGGER item_facets_counts AFTER INSERT OR DELETE ON item_facets
            FOR EACH ROW EXECUTE FUNCTION labatlas_facet_counts()
            """)
        return statements
    }
}
