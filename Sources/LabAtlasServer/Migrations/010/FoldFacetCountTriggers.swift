import Fluent
import SQLKit
import LabAtlasCore

/// Migration 010: on SQLite, one trigger for each event on `item_facets`
/// instead of one a type.
///
/// SQLite compiles every trigger of a table into each statement that writes
/// it, whatever their `WHEN`: a save's insert of its facet rows compiled the
/// seven types' triggers (each a three-part union and an upsert) to run one,
/// 0.3 ms of the writer's time at each save, and as much again for the
/// deletion of an edit. The folded trigger finds the item's visibility and
/// liveness by its type in one `CASE` (only the branch of the row's type runs)
/// and compiles in a third of the time. What it counts is migration 005's
/// invariant, unchanged. PostgreSQL's statement triggers already take every
/// type at once: nothing changes there.
enum Migrations010 {
    static let all: [any Migration] = [FoldFacetCountTriggers()]
}

struct FoldFacetCountTriggers: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await useFacetTriggers(folded: true, on: database)
    }

    func revert(on database: any Database) async throws {
        try await useFacetTriggers(folded: false, on: database)
    }

    /// Replaces the SQLite facet triggers of the other form with those of this one.
    private func useFacetTriggers(folded: Bool, on database: any Database) async throws {
        guard !database.isPostgres else { return }
        let sql = try database.sql
        for statement in ItemCountTriggers.dropSQLiteFacetTriggers(folded: !folded)
            + ItemCountTriggers.createSQLiteFacetTriggers(folded: folded) {
            try await sql.raw(SQLQueryString(statement)).run()
        }
    }
}
