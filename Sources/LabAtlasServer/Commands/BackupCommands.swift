import Foundation
import Vapor

/// `labatlas backup FILE [--force]`: a consistent backup, taken while the server runs.
struct BackupCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Argument(name: "file", help: "Where to write the backup") var file: String
        @Flag(name: "force", help: "Replace FILE if it already exists") var force: Bool
    }
    var help: String { "Writes a consistent backup of the database to FILE, even while the server writes." }

    func run(using context: CommandContext, signature: Signature) async throws {
        let size = try await DatabaseBackup(application: context.application).backup(to: signature.file, overwrite: signature.force)
        context.console.print("Sauvegarde écrite : \(DurableFile.absolutePath(signature.file)) (\(Self.frenchSize(size))).")
    }

    /// "2,9 Mo", "364 Ko": the size as a French reader writes it.
    static func frenchSize(_ bytes: Int64) -> String {
        if bytes < 1_048_576 { return "\(max(1, (bytes + 1023) / 1024)) Ko" }
        return String(format: "%.1f Mo", Double(bytes) / 1_048_576).replacingOccurrences(of: ".", with: ",")
    }
}

/// `labatlas restore FILE`: replaces the database with a backup; refused while a server uses it.
struct RestoreCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Argument(name: "file", help: "A file written by labatlas backup") var file: String
    }
    var help: String { "Replaces the database with the backup in FILE (stop the server first)." }

    func run(using context: CommandContext, signature: Signature) async throws {
        let restored = try await DatabaseBackup(application: context.application).restore(from: signature.file)
        var message = "Sauvegarde restaurée depuis \(DurableFile.absolutePath(signature.file))"
        switch restored.migrationsApplied {
        case 0: break
        case 1: message += ", 1 migration appliquée"
        case let count: message += ", \(count) migrations appliquées"
        }
        if let previous = restored.previous { message += " ; l'ancienne base est conservée dans \(previous)" }
        context.console.print(message + ".")
    }
}
