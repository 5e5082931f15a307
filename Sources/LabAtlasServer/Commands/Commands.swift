import Fluent
import Vapor

/// `labatlas migrate`: applies pending migrations without asking (scripts and CI call it).
struct MigrateNowCommand: AsyncCommand {
    struct Signature: CommandSignature {}
    var help: String { "Applies pending migrations and exits." }

    func run(using context: CommandContext, signature: Signature) async throws {
        try await context.application.migrateSafely()
        context.console.print("Migrations appliquées : la base est à jour.")
    }
}

/// `labatlas demo`: loads the demo content; running it twice changes nothing.
struct DemoCommand: AsyncCommand {
    struct Signature: CommandSignature {}
    var help: String { "Loads the demo content (idempotent)." }

    func run(using context: CommandContext, signature: Signature) async throws {
        try await context.application.migrateSafely()
        let summary = try await DemoLoader(database: context.application.db).load()
        context.console.print("Contenu de démonstration : \(summary.added) éléments ajoutés, \(summary.alreadyThere) déjà présents.")
    }
}

/// `labatlas reindex`: rebuilds the search index from the items, in one
/// transaction, so searches keep answering from the old index until it is done.
struct ReindexCommand: AsyncCommand {
    struct Signature: CommandSignature {}
    var help: String { "Rebuilds the full-text search index." }

    func run(using context: CommandContext, signature: Signature) async throws {
        try await context.application.migrateSafely()
        let started = Date()
        let count = try await context.application.db.writeTransaction { transaction in
            let count = try await SearchIndexer(database: transaction).rebuildAll()
            // The triggers keep the counts; a rebuild starts them afresh all the same.
            try await ItemCounts.recount(on: try transaction.sql)
            return count
        }
        try await context.application.db.searchEngine.compact(on: try context.application.db.sql)
        let seconds = String(format: "%.1f", Date().timeIntervalSince(started))
        context.console.print("Index de recherche reconstruit : \(count) éléments en \(seconds) s.")
    }
}
