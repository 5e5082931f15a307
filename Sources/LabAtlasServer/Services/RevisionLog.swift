import Fluent
import Foundation
import LabAtlasCore

/// Writes and reads revisions: the full snapshot of an item at each save.
struct RevisionLog {
    let database: any Database

    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }()

    func record<K: ItemKind>(_ kind: K.Type, _ model: K.M, links: ResolvedLinks, action: RevisionAction, context: SaveContext) async throws {
        let inverse = ResolvedLinks()
        let snapshot = try Self.encoder.encode(K.dto(of: model, links: links, inverse: inverse))
        let revision = Revision()
        revision.itemType = K.type
        revision.itemID = try model.requiredID
        revision.number = model.revision
        revision.action = action
        revision.authorID = context.author?.id
        revision.authorName = context.author?.name ?? "LabAtlas"
        revision.summary = context.summary?.nonBlank ?? action.label
        revision.snapshot = String(decoding: snapshot, as: UTF8.self)
        try await [revision].insert(on: try database.sql)
    }

    func revisions(of itemID: UUID) async throws -> [Revision] {
        try await Revision.query(on: database).filter(\.$itemID == itemID).sort(\.$number, .descending).all()
    }

    func revision(_ number: Int, of itemID: UUID) async throws -> Revision? {
        try await Revision.query(on: database).filter(\.$itemID == itemID).filter(\.$number == number).first()
    }

    static func dto<K: ItemKind>(_ kind: K.Type, from revision: Revision) throws -> K.DTO {
        try decoder.decode(K.DTO.self, from: Data(revision.snapshot.utf8))
    }

    static func fields(of revision: Revision) -> [String: JSONValue] {
        (try? decoder.decode([String: JSONValue].self, from: Data(revision.snapshot.utf8))) ?? [:]
    }
}
