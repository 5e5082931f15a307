import Fluent
import SQLKit

/// Migration 007: the similar items visitors see on a detail page, kept
/// (`similar_items`, see `KeptSimilarItems`).
///
/// Ranking an item's neighbours was most of the cost of a lab, project or
/// experience page (about 18 ms of 24 at 100,000 items), and every visitor got
/// the same answer. Rows are derived data: dropping them all only costs the
/// next views a ranking.
enum Migrations007 {
    static let all: [any Migration] = [CreateSimilarItems()]
}

struct CreateSimilarItems: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(KeptSimilarItems.table)
            .field("item_id", .uuid, .identifier(auto: false))
            .field("neighbours", .string, .required)
            .field("sequence", .int64, .required)
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(KeptSimilarItems.table).delete()
    }
}
