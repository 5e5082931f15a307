import Fluent
import Vapor
import LabAtlasCore

/// `/{type}` and `/{type}/{slug}` for one item type.
struct ItemPagesController<K: ItemPresenter>: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let group = routes.grouped(PathComponent(stringLiteral: K.type.rawValue))
        group.get(use: index)
        group.get(":slug", use: show)
    }

    @Sendable func index(req: Request) async throws -> View {
        let parameters = try ListParameters(type: K.type, request: req)
        let repository = ItemRepository(database: req.db, reader: req.reader)
        let query = parameters.query(for: K.type, reader: req.reader)
        let total = try await query.count(on: req.db)
        let pageSize = ListParameters.pageSize
        let ids = try await query.ids(offset: (parameters.page - 1) * pageSize, limit: pageSize, on: req.db)
        let cards = try await repository.cards(K.self, ids: ids)
        let counts = try await query.facetCounts(on: req.db)
        let page = try await ListPageBuilder(type: K.type, parameters: parameters, repository: repository)
            .build(cards: cards, total: total, counts: counts)
        return try await req.view.render("list", page)
    }

    @Sendable func show(req: Request) async throws -> View {
        let repository = ItemRepository(database: req.db, reader: req.reader)
        guard let slug = req.parameters.get("slug"), let model = try await repository.find(K.self, slug: slug) else {
            throw Abort(.notFound, reason: "Aucun élément de type « \(K.type.singularLabel.lowercased()) » ne porte cet identifiant.")
        }
        let links = try await repository.links.outgoing(from: [try model.requiredID])
        let page = try await K.detail(model, links: links[try model.requiredID] ?? ResolvedLinks(), repository: repository)
        return try await req.view.render("show", page)
    }
}
