import Fluent
import Foundation
import Vapor
import LabAtlasCore

/// `POST /api/v1/{type}`, `PUT`/`PATCH`/`DELETE /api/v1/{type}/{slug}`: writes
/// with a bearer token; updates carry `If-Match` so no update is ever lost.
struct APIWriteController<K: ItemKind>: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let group = routes.grouped("api", "v1", PathComponent(stringLiteral: K.type.rawValue))
        group.on(.POST, body: .collect(maxSize: "1mb"), use: create)
        group.on(.PUT, ":slug", body: .collect(maxSize: "1mb"), use: replace)
        group.on(.PATCH, ":slug", body: .collect(maxSize: "1mb"), use: patch)
        group.delete(":slug", use: delete)
    }

    @Sendable func create(req: Request) async throws -> Response {
        let account = try signedIn(req)
        guard req.reader.canCreate(K.type) else { throw APIForbidden() }
        let dto = try decode(req.body.data)
        try await checkWrittenElsewhere(req, dto, existing: nil, sent: req.body.data)
        let model = try await save(req, dto, existing: nil, base: nil, account: account, action: .create)
        let response = try await respond(req, model, status: .created)
        response.headers.replaceOrAdd(name: .location, value: "/api/v1/\(K.type.rawValue)/\(model.slug)")
        return response
    }

    @Sendable func replace(req: Request) async throws -> Response {
        let account = try signedIn(req)
        let (model, _) = try await editable(req)
        let base = try ifMatch(req)
        let dto = try decode(req.body.data)
        try checkSlug(dto, model)
        try await checkWrittenElsewhere(req, dto, existing: model, sent: req.body.data)
        let saved = try await save(req, dto, existing: model, base: base, account: account, action: .update)
        return try await respond(req, saved, status: .ok)
    }

    @Sendable func patch(req: Request) async throws -> Response {
        let account = try signedIn(req)
        let (model, current) = try await editable(req)
        let base = try ifMatch(req)
        guard let body = req.body.data,
              let patch = try? JSONDecoder().decode([String: JSONValue].self, from: Data(buffer: body)) else {
            throw APIValidation([FieldError("body", "Le corps doit être un objet JSON.")])
        }
        var merged = (try? RevisionLog.decoder.decode([String: JSONValue].self, from: RevisionLog.encoder.encode(current))) ?? [:]
        for (key, value) in patch { merged[key] = value }
        let dto = try decode(ByteBuffer(data: try RevisionLog.encoder.encode(merged)))
        try checkSlug(dto, model)
        try await checkWrittenElsewhere(req, dto, existing: model, sent: body)
        let saved = try await save(req, dto, existing: model, base: base, account: account, action: .update)
        return try await respond(req, saved, status: .ok)
    }

    @Sendable func delete(req: Request) async throws -> Response {
        let account = try signedIn(req)
        let (model, _) = try await editable(req)
        let base = try ifMatch(req)
        do {
            try await ItemWriter(database: req.db).delete(K.self, model, context: SaveContext(
                author: account, reader: req.reader, baseRevision: base, action: .delete, summary: "Suppression (API)"))
        } catch is EditConflict {
            throw APIPreconditionFailed()
        }
        return Response(status: .noContent)
    }

    // MARK: Shared

    private func signedIn(_ req: Request) throws -> Reader.Account {
        guard let account = req.reader.account else { throw SignInRequired() }
        return account
    }

    private func editable(_ req: Request) async throws -> (K.M, K.DTO) {
        guard let slug = req.parameters.get("slug"),
              let model = try await ItemRepository(database: req.db, reader: req.reader).find(K.self, slug: slug) else {
            throw Abort(.notFound, reason: "Aucun élément de type « \(K.type.singularLabel.lowercased()) » ne porte cet identifiant.")
        }
        let system = ItemRepository(database: req.db, reader: .system)
        let id = try model.requiredID
        let links = try await system.links.outgoing(from: [id])[id] ?? ResolvedLinks()
        guard req.reader.canEdit(K.type, links.ownership(itemID: id, type: K.type)) else { throw APIForbidden() }
        guard let dto = try await system.dtos(K.self, [model]).first else { throw Abort(.notFound) }
        return (model, dto)
    }

    /// `If-Match: "7"` (or `W/"7"`): the revision the client read.
    private func ifMatch(_ req: Request) throws -> Int {
        guard let header = req.headers.first(name: .ifMatch) else { throw APIPreconditionRequired() }
        let cleaned = header.trimmingCharacters(in: .whitespaces)
            .replacingOccurrences(of: "W/", with: "").trimmingCharacters(in: CharacterSet(charactersIn: "\""))
        guard let revision = Int(cleaned) else { throw APIPreconditionFailed() }
        return revision
    }

    private func decode(_ body: ByteBuffer?) throws -> K.DTO {
        guard let body, body.readableBytes > 0 else { throw APIValidation([FieldError("body", "Le corps de la requête est vide : envoyez l'élément en JSON.")]) }
        do {
            return try RevisionLog.decoder.decode(K.DTO.self, from: Data(buffer: body))
        } catch let error as DecodingError {
            throw APIValidation([Self.fieldError(error)])
        } catch {
            throw APIValidation([FieldError("body", "JSON illisible.")])
        }
    }

    /// Names the field a decoding error is about, in CONTRACT.md's words.
    static func fieldError(_ error: DecodingError) -> FieldError {
        func path(_ codingPath: [any CodingKey]) -> String {
            let names = codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }
            return names.isEmpty ? "body" : names.joined(separator: ".").replacingOccurrences(of: ".[", with: "[")
        }
        switch error {
        case .keyNotFound(let key, let context):
            return FieldError(path(context.codingPath + [key]), "Champ obligatoire manquant.")
        case .typeMismatch(_, let context):
            return FieldError(path(context.codingPath), "Type de valeur inattendu.")
        case .valueNotFound(_, let context):
            return FieldError(path(context.codingPath), "Valeur manquante.")
        case .dataCorrupted(let context):
            let detail = context.debugDescription.contains("attendu") ? context.debugDescription : "Valeur invalide."
            return FieldError(path(context.codingPath), detail.contains("JSON") ? "JSON illisible." : detail)
        @unknown default:
            return FieldError("body", "JSON illisible.")
        }
    }

    /// A field written on other items (a network's labs) is refused when the
    /// body names it with other slugs than the reader reads on the item now,
    /// rather than saved without it: nothing a client sends is silently
    /// dropped. Left out, or sent back as read, it is fine.
    private func checkWrittenElsewhere(_ req: Request, _ dto: K.DTO, existing: K.M?, sent body: ByteBuffer?) async throws {
        let fields = K.writtenElsewhere(dto)
        guard !fields.isEmpty, let body,
              let named = try? JSONDecoder().decode([String: JSONValue].self, from: Data(buffer: body)),
              fields.contains(where: { named[$0.field] != nil }) else { return }
        var now: [FieldWrittenElsewhere] = []
        if let existing, let read = try await ItemRepository(database: req.db, reader: req.reader).dtos(K.self, [existing]).first {
            now = K.writtenElsewhere(read)
        }
        let errors = fields.filter { field in
            named[field.field] != nil && Set(field.slugs) != Set(now.first { $0.field == field.field }?.slugs ?? [])
        }.map { FieldError($0.field, $0.message) }
        if !errors.isEmpty { throw APIValidation(errors) }
    }

    private func checkSlug(_ dto: K.DTO, _ model: K.M) throws {
        if let slug = K.slug(of: dto), slug != model.slug {
            throw APIValidation([FieldError("slug", "L'identifiant d'un élément ne change pas : « \(model.slug) » attendu.")])
        }
    }

    private func save(_ req: Request, _ dto: K.DTO, existing: K.M?, base: Int?, account: Reader.Account, action: RevisionAction) async throws -> K.M {
        do {
            return try await ItemWriter(database: req.db).save(K.self, dto, existing: existing, context: SaveContext(
                author: account, reader: req.reader, baseRevision: base, action: action,
                summary: req.headers.first(name: "X-Change-Summary").map { String($0.prefix(300)) } ?? "\(action.label) (API)"))
        } catch let failure as ValidationFailure {
            throw APIValidation(failure.errors)
        } catch is EditConflict {
            throw APIPreconditionFailed()
        }
    }

    private func respond(_ req: Request, _ model: K.M, status: HTTPStatus) async throws -> Response {
        let repository = ItemRepository(database: req.db, reader: req.reader)
        guard let dto = try await repository.dtos(K.self, [model]).first else { throw Abort(.notFound) }
        let response = try await JSONItem(dto).encodeResponse(status: status, for: req)
        response.headers.replaceOrAdd(name: .eTag, value: "\"\(model.revision)\"")
        return response
    }
}

/// 422 with the list of field errors.
struct APIValidation: AbortError {
    let errors: [FieldError]
    init(_ errors: [FieldError]) { self.errors = errors }
    var status: HTTPResponseStatus { .unprocessableEntity }
    var reason: String { "Données invalides : " + errors.map { "\($0.field) — \($0.message)" }.joined(separator: " ; ") }
}

struct APIForbidden: AbortError {
    var status: HTTPResponseStatus { .forbidden }
    var reason: String { "Ce jeton ne permet pas de modifier cet élément." }
}

struct APIPreconditionRequired: AbortError {
    var status: HTTPResponseStatus { .preconditionRequired }
    var reason: String { "En-tête « If-Match » requis : renvoyez l'ETag lu sur l'élément, pour qu'aucune modification ne soit perdue." }
}

struct APIPreconditionFailed: AbortError {
    var status: HTTPResponseStatus { .preconditionFailed }
    var reason: String { "L'élément a changé depuis votre lecture (ETag périmé) : relisez-le, puis renvoyez votre modification." }
}
