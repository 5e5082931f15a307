import Fluent
import Vapor
import LabAtlasCore

/// `/api/v1/{type}` and `/api/v1/{type}/{slug}`: the JSON read API.
struct APIController<K: ItemKind>: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let group = routes.grouped("api", "v1", PathComponent(stringLiteral: K.type.rawValue))
        group.get(use: index)
        group.get(":slug", use: show)
    }

    struct ListResponse: Content {
        var items: [K.DTO]
        var nextCursor: String?
        enum CodingKeys: String, CodingKey {
            case items
            case nextCursor = "next_cursor"
        }
        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(items, forKey: .items)
            // `null` rather than an absent key: clients test for it.
            try container.encode(nextCursor, forKey: .nextCursor)
        }
    }

    @Sendable func index(req: Request) async throws -> Response {
        let parameters = try ListParameters(type: K.type, request: req, allowsPage: false)
        let paging = try APIListParameters(request: req)
        // Events may be filtered as upcoming or past (`when`).
        return try await req.visitorPage(reads: K.type.shownWithIt, followsTheDate: K.type == .events) {
            try await list(req: req, parameters: parameters, paging: paging)
        }
    }

    private func list(req: Request, parameters: ListParameters, paging: APIListParameters) async throws -> Response {
        let repository = ItemRepository(database: req.db, reader: req.reader)
        let rows = try await parameters.query(for: K.type, reader: req.reader)
            .ids(afterSlug: paging.afterSlug, limit: paging.limit + 1, on: req.db)
        let pageRows = Array(rows.prefix(paging.limit))
        let nextCursor = rows.count > paging.limit ? pageRows.last.map { Cursor.encode(slug: $0.slug) } : nil
        let kept = req.application.visitorJSON
        guard kept.capacity > 0, req.reader.isVisitor else {
            let models = try await repository.models(K.self, ids: pageRows.map(\.id))
            return try await ListResponse(items: try await repository.dtos(K.self, models), nextCursor: nextCursor).encodeResponse(for: req)
        }
        // A visitor's items are kept as JSON and written into the list as they are:
        // the same bytes `ListResponse` writes (keys sorted, no spaces).
        let encoder = try ContentConfiguration.global.requireEncoder(for: .json)
        func json<T: Encodable & Sendable>(_ value: T) throws -> ByteBuffer {
            var buffer = ByteBuffer(), headers = HTTPHeaders()
            try encoder.encode(JSONItem(value), to: &buffer, headers: &headers)
            return buffer
        }
        let items = try await kept.values(of: pageRows.map(\.id), on: try req.db.sql) { missing in
            let models = try await repository.models(K.self, ids: missing)
            return try zip(models, try await repository.dtos(K.self, models)).map { model, dto in (try model.requiredID, try json(dto)) }
        }
        var body = ByteBuffer(string: #"{"items":["#)
        for (index, item) in items.enumerated() {
            if index > 0 { body.writeString(",") }
            body.writeImmutableBuffer(item)
        }
        body.writeString(#"],"next_cursor":"#)
        if let nextCursor { body.writeImmutableBuffer(try json(nextCursor)) } else { body.writeString("null") }
        body.writeString("}")
        return Response(status: .ok, headers: ["Content-Type": "application/json; charset=utf-8"], body: .init(buffer: body))
    }

    @Sendable func show(req: Request) async throws -> Response {
        try await req.visitorPage(reads: ItemType.referencesOfEveryType, item: (K.type, req.parameters.get("slug") ?? "", false)) {
            try await item(req: req)
        }
    }

    private func item(req: Request) async throws -> Response {
        let repository = ItemRepository(database: req.db, reader: req.reader)
        guard let slug = req.parameters.get("slug"), let model = try await repository.find(K.self, slug: slug) else {
            throw Abort(.notFound, reason: "Aucun élément de type « \(K.type.singularLabel.lowercased()) » ne porte cet identifiant.")
        }
        guard let dto = try await repository.dtos(K.self, [model]).first else { throw Abort(.notFound) }
        let response = try await JSONItem(dto).encodeResponse(for: req)
        response.headers.replaceOrAdd(name: .eTag, value: "\"\(model.revision)\"")
        return response
    }
}

/// Wraps a DTO so it encodes as a bare JSON object.
struct JSONItem<T: Encodable & Sendable>: Content {
    let value: T
    init(_ value: T) { self.value = value }
    func encode(to encoder: any Encoder) throws { try value.encode(to: encoder) }
    init(from decoder: any Decoder) throws { throw Abort(.notImplemented) }
}
