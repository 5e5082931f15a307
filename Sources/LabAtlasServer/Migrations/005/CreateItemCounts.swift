import Fluent
import SQLKit
import LabAtlasCore

/// Migration 005: counts the database keeps itself (`item_counts`), and list
/// indexes that serve each order of the list pages.
///
/// The home page and the list pages counted a type's visible items and their
/// facet values by reading the items (149 ms for the home page of an atlas of
/// 100,000 items, 40 ms for the facets of `/sessions?format=hybrid`).
/// Triggers on the item tables and on `item_facets` keep, per type and
/// visibility, how many live items there are (`facet` empty), how many hold
/// each facet value (`facet2` empty), and how many hold each pair of values of
/// two different facets. A list with at most one filter then reads all its
/// counts, and a list with two filters its total and the two filtered facets,
/// from a few rows. Triggers, not Swift code, so that no way of writing items
/// (saves, imports, restores, a later feature) can forget them. The invariant,
/// whatever the order of writes inside a transaction:
///
///     n(type, f, v, g, w, visibility) = live items of that type and
///     visibility holding (f, v) and (g, w) in item_facets
///
/// A facet row counts while it exists and its item is live: written while the
/// item is live, or the item becoming live; it stops counting when deleted
/// while the item is live, or when the item stops being live (soft or hard
/// delete). A change of visibility moves the item's counts from one visibility
/// to the other. `item_facets` gets a unique index on (item_id, facet, value),
/// so each (item, value) counts once, as readers count it.
enum Migrations005 {
    static let all: [any Migration] = [CreateItemCounts(), AddListOrderIndexes()]
}

struct CreateItemCounts: AsyncMigration {
    func prepare(on database: any Database) async throws {
        let sql = try database.sql
        try await sql.raw("""
            CREATE TABLE item_counts (item_type TEXT NOT NULL, facet TEXT NOT NULL, value TEXT NOT NULL,
                facet2 TEXT NOT NULL, value2 TEXT NOT NULL, visibility TEXT NOT NULL, n BIGINT NOT NULL,
                PRIMARY KEY (item_type, facet2, value2, facet, value, visibility))
            """).run()
        // Facet rows have always been written once per (item, value); the index makes it a rule.
        try await sql.raw(database.isPostgres
            ? "DELETE FROM item_facets a USING item_facets b WHERE a.item_id = b.item_id AND a.facet = b.facet AND a.value = b.value AND a.id > b.id"
            : "DELETE FROM item_facets WHERE rowid NOT IN (SELECT MIN(rowid) FROM item_facets GROUP BY item_id, facet, value)").run()
        try await sql.raw("CREATE UNIQUE INDEX item_facets_once ON item_facets (item_id, facet, value)").run()
        try await sql.raw("DROP INDEX item_facets_by_item").run()
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
    }
}

/// One index per order a list page offers, holding what the page query reads
/// (visibility, deletion, id), so a page — even a far one — is a walk of the
/// index alone. The single-column indexes of migration 001 made SQLite read
/// the whole table and sort it whenever the order had more than one term.
struct AddListOrderIndexes: AsyncMigration {
    static let covering = "visibility, deleted_at, id"

    /// (name, table, ordered columns) for every order of `ListSort`.
    static var indexes: [(String, String, String)] {
        var indexes: [(String, String, String)] = []
        for type in ItemType.allCases {
            let table = type.table
            for sort in ListSort.options(for: type) {
                let columns: String
                switch sort.key {
                case "name", "title": columns = "sort_key, slug"
                case "recent": columns = "updated_at DESC, sort_key, slug"
                case "stage_change": columns = "stage_since DESC, sort_key, slug"
                case "year": columns = "(COALESCE(year, 0)) DESC, sort_key, slug"
                case "date": columns = (type == .events ? "starts_at" : "date") + " DESC, sort_key, slug"
                // Upcoming first is two walks: ends_at to split, starts_at both ways.
                case "upcoming": columns = "ends_at, starts_at, sort_key, slug"
                default: continue
                }
                indexes.append((name(type: type, sort: sort), table, columns))
            }
        }
        return indexes
    }

    static func name(type: ItemType, sort: ListSort) -> String { "\(type.table)_by_\(sort.key)" }

    func prepare(on database: any Database) async throws {
        let sql = try database.sql
        for table in ItemTables.all {
            try await sql.raw("DROP INDEX IF EXISTS \(ident: table + "_by_sort_key")").run()
            try await sql.raw("DROP INDEX IF EXISTS \(ident: table + "_by_updated_at")").run()
        }
        try await sql.raw("DROP INDEX IF EXISTS work_sessions_by_date").run()
        try await sql.raw("DROP INDEX IF EXISTS events_by_starts_at").run()
        for (name, table, columns) in Self.indexes {
            try await sql.raw("CREATE INDEX \(ident: name) ON \(ident: table) (\(unsafeRaw: columns), \(unsafeRaw: Self.covering))").run()
        }
    }

    func revert(on database: any Database) async throws {
        let sql = try database.sql
        for (name, _, _) in Self.indexes {
            try await sql.raw("DROP INDEX IF EXISTS \(ident: name)").run()
        }
    }
}

/// The triggers' SQL, for both databases. Every statement adds a signed
/// amount to rows of `item_counts` with one upsert.
enum ItemCountTriggers {
    static let columns = "item_type, facet, value, facet2, value2, visibility, n"
    // The key leads with the given value: a list reads a facet's values under one given value (or none) in one range.
    static let upsert = "ON CONFLICT (item_type, facet2, value2, facet, value, visibility) DO UPDATE SET n = item_counts.n + excluded.n"

    /// Adds `sign` for the item `item` (`NEW`/`OLD`) of type `type`, for each
    /// of its facet rows, and for each pair of them (two facets), under the
    /// item's visibility; only when `condition` holds.
    static func itemCounts(type: ItemType, item: String, sign: Int, condition: String = "1 = 1") -> String {
        itemCounts(typeSQL: "'\(type.rawValue)'", item: item, sign: sign, condition: condition)
    }

    /// The same, with the type as any SQL expression (a PostgreSQL trigger's argument).
    static func itemCounts(typeSQL: String, item: String, sign: Int, condition: String = "1 = 1") -> String {
        let visibility = "\(item).visibility"
        return """
            INSERT INTO item_counts (\(columns))
            SELECT \(typeSQL), '', '', '', '', \(visibility), \(sign) WHERE \(condition)
            UNION ALL
            SELECT item_type, facet, value, '', '', \(visibility), \(sign) FROM item_facets
            WHERE \(condition) AND item_id = \(item).id
            UNION ALL
            SELECT a.item_type, a.facet, a.value, b.facet, b.value, \(visibility), \(sign)
            FROM item_facets a JOIN item_facets b ON b.item_id = a.item_id AND b.facet <> a.facet
            WHERE \(condition) AND a.item_id = \(item).id
            \(upsert)
            """
    }

    static func create(postgres: Bool) -> [String] {
        postgres ? createPostgres() : createSQLite()
    }

    static func drop(postgres: Bool) -> [String] {
        if postgres {
            return ItemType.allCases.map { "DROP TRIGGER IF EXISTS \($0.table)_counts ON \($0.table)" }
                + ["DROP TRIGGER IF EXISTS item_facets_counts_insert ON item_facets",
                   "DROP TRIGGER IF EXISTS item_facets_counts_delete ON item_facets",
                   "DROP FUNCTION IF EXISTS labatlas_item_counts()",
                   "DROP FUNCTION IF EXISTS labatlas_facet_counts_insert()",
                   "DROP FUNCTION IF EXISTS labatlas_facet_counts_delete()"]
        }
        return ItemType.allCases.flatMap { type in
            ["insert", "delete", "update"].map { "DROP TRIGGER IF EXISTS \(type.table)_counts_\($0)" }
        } + dropSQLiteFacetTriggers(folded: false)
    }

    // MARK: SQLite: row triggers, which see the rows a statement wrote before theirs.

    private static func createSQLite() -> [String] {
        var statements: [String] = []
        for type in ItemType.allCases {
            let table = type.table
            statements.append("""
                CREATE TRIGGER \(table)_counts_insert AFTER INSERT ON \(table) WHEN NEW.deleted_at IS NULL BEGIN
                \(itemCounts(type: type, item: "NEW", sign: 1));
                END
                """)
            statements.append("""
                CREATE TRIGGER \(table)_counts_delete AFTER DELETE ON \(table) WHEN OLD.deleted_at IS NULL BEGIN
                \(itemCounts(type: type, item: "OLD", sign: -1));
                END
                """)
            statements.append("""
                CREATE TRIGGER \(table)_counts_update AFTER UPDATE OF visibility, deleted_at ON \(table)
                WHEN (OLD.deleted_at IS NULL) <> (NEW.deleted_at IS NULL) OR OLD.visibility <> NEW.visibility BEGIN
                \(itemCounts(type: type, item: "OLD", sign: -1, condition: "OLD.deleted_at IS NULL"));
                \(itemCounts(type: type, item: "NEW", sign: 1, condition: "NEW.deleted_at IS NULL"));
                END
                """)
        }
        return statements + createSQLiteFacetTriggers(folded: false)
    }

    /// The triggers of `item_facets`: each row written or removed while its
    /// item is live counts, alone and paired with the item's other facets'
    /// rows (both ways), under the item's visibility. `folded`: one trigger an
    /// event, which finds the item by its type (migration 010); otherwise one
    /// an event and a type (migration 005).
    static func createSQLiteFacetTriggers(folded: Bool) -> [String] {
        [("insert", "NEW", 1), ("delete", "OLD", -1)].flatMap { event, row, sign in
            folded ? [foldedFacetTrigger(event: event, row: row, sign: sign)]
                : ItemType.allCases.map { facetTrigger(type: $0, event: event, row: row, sign: sign) }
        }
    }

    static func dropSQLiteFacetTriggers(folded: Bool) -> [String] {
        ["insert", "delete"].flatMap { event in
            folded ? ["DROP TRIGGER IF EXISTS item_facets_counts_\(event)"]
                : ItemType.allCases.map { "DROP TRIGGER IF EXISTS item_facets_counts_\(event)_\($0.rawValue)" }
        }
    }

    private static func facetTrigger(type: ItemType, event: String, row: String, sign: Int) -> String {
        let table = type.table
        return """
            CREATE TRIGGER item_facets_counts_\(event)_\(type.rawValue) AFTER \(event.uppercased()) ON item_facets
            WHEN \(row).item_type = '\(type.rawValue)' BEGIN
            INSERT INTO item_counts (\(columns))
            SELECT \(row).item_type, \(row).facet, \(row).value, '', '', i.visibility, \(sign) FROM \(table) i
            WHERE i.id = \(row).item_id AND i.deleted_at IS NULL
            UNION ALL
            SELECT \(row).item_type, \(row).facet, \(row).value, b.facet, b.value, i.visibility, \(sign)
            FROM \(table) i JOIN item_facets b ON b.item_id = i.id AND b.facet <> \(row).facet
            WHERE i.id = \(row).item_id AND i.deleted_at IS NULL
            UNION ALL
            SELECT \(row).item_type, b.facet, b.value, \(row).facet, \(row).value, i.visibility, \(sign)
            FROM \(table) i JOIN item_facets b ON b.item_id = i.id AND b.facet <> \(row).facet
            WHERE i.id = \(row).item_id AND i.deleted_at IS NULL
            \(upsert);
            END
            """
    }

    /// The item's visibility while it is live, NULL otherwise (deleted, or
    /// gone): a `CASE` on the row's type, whose other branches never run.
    private static func foldedFacetTrigger(event: String, row: String, sign: Int) -> String {
        let visibility = ItemType.allCases.map { type in
            "WHEN '\(type.rawValue)' THEN (SELECT visibility FROM \(type.table) WHERE id = \(row).item_id AND deleted_at IS NULL)"
        }.joined(separator: "\n    ")
        return """
            CREATE TRIGGER item_facets_counts_\(event) AFTER \(event.uppercased()) ON item_facets BEGIN
            INSERT INTO item_counts (\(columns))
            SELECT \(row).item_type, p.facet, p.value, p.facet2, p.value2, s.visibility, \(sign)
            FROM (SELECT CASE \(row).item_type
                \(visibility)
                END AS visibility) s
            JOIN (SELECT \(row).facet AS facet, \(row).value AS value, '' AS facet2, '' AS value2
                UNION ALL
                SELECT \(row).facet, \(row).value, b.facet, b.value FROM item_facets b WHERE b.item_id = \(row).item_id AND b.facet <> \(row).facet
                UNION ALL
                SELECT b.facet, b.value, \(row).facet, \(row).value FROM item_facets b WHERE b.item_id = \(row).item_id AND b.facet <> \(row).facet) p
            WHERE s.visibility IS NOT NULL
            \(upsert);
            END
            """
    }

    // MARK: PostgreSQL: row triggers on items, statement triggers on item_facets.

    /// PostgreSQL runs row triggers after the whole statement, each seeing all
    /// its rows: the facet rows of one statement are counted together, from
    /// its transition table (`changed`), each pair once.
    private static func createPostgres() -> [String] {
        var statements: [String] = []
        // TG_ARGV[0] is the item type; NEW/OLD are the item row.
        let removed = itemCounts(typeSQL: "TG_ARGV[0]", item: "OLD", sign: -1)
        let added = itemCounts(typeSQL: "TG_ARGV[0]", item: "NEW", sign: 1)
        statements.append("""
            CREATE FUNCTION labatlas_item_counts() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
              IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.deleted_at IS NULL
                 AND (TG_OP = 'DELETE' OR NEW.deleted_at IS NOT NULL OR NEW.visibility <> OLD.visibility) THEN
                \(removed);
              END IF;
              IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.deleted_at IS NULL
                 AND (TG_OP = 'INSERT' OR OLD.deleted_at IS NOT NULL OR NEW.visibility <> OLD.visibility) THEN
                \(added);
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
        // The live items of the changed rows, with their visibility.
        let live = ItemType.allCases.map { type in
            "SELECT i.id, i.visibility FROM \(type.table) i WHERE i.deleted_at IS NULL AND i.id IN (SELECT item_id FROM changed WHERE item_type = '\(type.rawValue)')"
        }.joined(separator: " UNION ALL ")
        // Inserted: each new row; pairs of a new row with any row of the item
        // (new ones included), and of an older row with a new one.
        // Deleted: each removed row; pairs of a removed row with a remaining
        // one, both ways, and of two removed rows.
        for (event, sign, pairs) in [
            ("insert", 1, """
                SELECT a.item_type, a.facet, a.value, b.facet, b.value, l.visibility, 1 FROM changed a JOIN live l ON l.id = a.item_id
                JOIN item_facets b ON b.item_id = a.item_id AND b.facet <> a.facet
                UNION ALL
                SELECT b.item_type, b.facet, b.value, a.facet, a.value, l.visibility, 1 FROM changed a JOIN live l ON l.id = a.item_id
                JOIN item_facets b ON b.item_id = a.item_id AND b.facet <> a.facet
                WHERE NOT EXISTS (SELECT 1 FROM changed x WHERE x.id = b.id)
                """),
            ("delete", -1, """
                SELECT a.item_type, a.facet, a.value, b.facet, b.value, l.visibility, -1 FROM changed a JOIN live l ON l.id = a.item_id
                JOIN item_facets b ON b.item_id = a.item_id AND b.facet <> a.facet
                UNION ALL
                SELECT b.item_type, b.facet, b.value, a.facet, a.value, l.visibility, -1 FROM changed a JOIN live l ON l.id = a.item_id
                JOIN item_facets b ON b.item_id = a.item_id AND b.facet <> a.facet
                UNION ALL
                SELECT a.item_type, a.facet, a.value, b.facet, b.value, l.visibility, -1 FROM changed a JOIN live l ON l.id = a.item_id
                JOIN changed b ON b.item_id = a.item_id AND b.facet <> a.facet
                """),
        ] {
            statements.append("""
                CREATE FUNCTION labatlas_facet_counts_\(event)() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                  WITH live AS (\(live)),
                  amounts AS (
                    SELECT a.item_type, a.facet, a.value, '' AS facet2, '' AS value2, l.visibility, \(sign) AS n
                    FROM changed a JOIN live l ON l.id = a.item_id
                    UNION ALL
                    \(pairs))
                  INSERT INTO item_counts (\(columns))
                  SELECT item_type, facet, value, facet2, value2, visibility, SUM(n) FROM amounts
                  GROUP BY item_type, facet, value, facet2, value2, visibility
                  \(upsert);
                  RETURN NULL;
                END
                $$
                """)
            statements.append("""
                CREATE TRIGGER item_facets_counts_\(event) AFTER \(event.uppercased()) ON item_facets
                REFERENCING \(event == "insert" ? "NEW" : "OLD") TABLE AS changed
                FOR EACH STATEMENT EXECUTE FUNCTION labatlas_facet_counts_\(event)()
                """)
        }
        return statements
    }
}
