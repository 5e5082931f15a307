import Fluent
import Vapor

/// `labatlas migrate`: applies pending migrations without asking (scripts and CI call it).
struct MigrateNowCommand: AsyncCommand {
    struct Signature: CommandSignature {}
    var help: String { "Applies pending migrations and exits." }

    func run(using context: CommandContext, signature: Signature) async throws {
        try await context.application.autoMigrate()
        context.console.print("Migrations appliquées : la base est à jour.")
    }
}

/// `labatlas demo`: loads the demo content; running it twice changes nothing.
struct DemoCommand: AsyncCommand {
    struct Signature: CommandSignature {}
    var help: String { "Loads the demo content (idempotent)." }

    func run(using context: CommandContext, signature: Signature) async throws {
        try await context.application.autoMigrate()
        let summary = try await DemoLoader(database: context.application.db).load()
        context.console.print("Contenu de démonstration : \(summary.added) éléments ajoutés, \(summary.alreadyThere) déjà présents.")
    }
}
