import Fluent
import Foundation
import LabAtlasCore

/// Loads the demo content shipped in `Demo/` through the same writer as
/// every other channel. Items whose slug already exists are left alone, so
/// loading twice changes nothing.
struct DemoLoader {
    let database: any Database

    struct Summary: Sendable {
        var added = 0
        var alreadyThere = 0
    }

    enum LoadError: Error, CustomStringConvertible {
        case missingFile(String)
        case invalid(file: String, item: String, errors: [FieldError])
        case undecodable(file: String, detail: String)

        var description: String {
            switch self {
            case .missingFile(let file): "demo file \(file) is missing from the bundle"
            case .invalid(let file, let item, let errors): "\(file): \(item): \(errors.map(\.description).joined(separator: "; "))"
            case .undecodable(let file, let detail): "\(file): \(detail)"
            }
        }
    }

    /// Dependency order: what an item points at is loaded before it.
    func load() async throws -> Summary {
        try await database.writeTransaction { transaction in
            var summary = Summary()
            let loader = DemoLoader(database: transaction)
            try await loader.load(NetworkKind.self, file: "networks", summary: &summary)
            try await loader.load(LabKind.self, file: "labs", summary: &summary)
            try await loader.load(MethodKind.self, file: "methods", summary: &summary)
            try await loader.load(ProjectKind.self, file: "projects", summary: &summary)
            try await loader.load(ExperienceKind.self, file: "experiences", summary: &summary)
            try await loader.load(SessionKind.self, file: "sessions", summary: &summary)
            try await loader.load(EventKind.self, file: "events", summary: &summary)
            return summary
        }
    }

    static func isDatabaseEmpty(_ database: any Database) async throws -> Bool {
        let labs = try await Lab.query(on: database).count()
        let networks = try await Network.query(on: database).count()
        return labs == 0 && networks == 0
    }

    private func load<K: ItemKind>(_ kind: K.Type, file: String, summary: inout Summary) async throws {
        guard let url = Bundle.module.url(forResource: file, withExtension: "json", subdirectory: "Demo") else {
            throw LoadError.missingFile("\(file).json")
        }
        let items: [K.DTO]
        do {
            items = try JSONDecoder().decode([K.DTO].self, from: Data(contentsOf: url))
        } catch {
            throw LoadError.undecodable(file: "\(file).json", detail: String(describing: error))
        }
        let existing = Set(try await K.M.query(on: database).all().map(\.slug))
        let writer = ItemWriter(database: database)
        for dto in items {
            if let slug = K.slug(of: dto), existing.contains(slug) {
                summary.alreadyThere += 1
                continue
            }
            do {
                try await writer.save(kind, dto)
                summary.added += 1
            } catch let failure as ValidationFailure {
                throw LoadError.invalid(file: "\(file).json", item: K.slug(of: dto) ?? K.slugSource(of: dto), errors: failure.errors)
            }
        }
    }
}

