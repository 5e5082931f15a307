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

    @Sendable func index(req: Request) async throws -> Response {
        let parameters = try ListParameters(type: K.type, request: req)
        // Events are listed as upcoming or past.
        return try await req.visitorPage(reads: K.type.shownWithIt, followsTheDate: K.type == .events) {
            try await list(req: req, parameters: parameters)
        }
    }

    private func list(req: Request, parameters: ListParameters) async throws -> Response {
        let repository = req.repository
        let query = parameters.query(for: K.type, reader: req.reader)
        let pageSize = ListParameters.pageSize
        let (total, ids) = try await query.page(offset: (parameters.page - 1) * pageSize, limit: pageSize, on: req.db)
        let cards = try await repository.cards(K.self, ids: ids)
        let counts = try await query.facetCounts(on: req.db)
        var page = try await ListPageBuilder(type: K.type, parameters: parameters, repository: repository)
            .build(cards: cards, total: total, counts: counts)
        if req.reader.canCreate(K.type) {
            page.createHref = "/\(K.type.rawValue)/new"
            page.createLabel = "Ajouter : \(K.type.singularLabel.lowercased())"
        }
        return try await req.renderPage("list", page)
    }

    @Sendable func show(req: Request) async throws -> Response {
        try await req.visitorPage(reads: ItemType.referencesOfEveryType, item: (K.type, req.parameters.get("slug") ?? "", K.type.showsSimilarItems)) {
            try await detail(req: req)
        }
    }

    private func detail(req: Request) async throws -> Response {
        let repository = req.repository
        guard let slug = req.parameters.get("slug"), let model = try await repository.find(K.self, slug: slug) else {
            throw Abort(.notFound, reason: "Aucun élément de type « \(K.type.singularLabel.lowercased()) » ne porte cet identifiant.")
        }
        let id = try model.requiredID
        let links = try await repository.links.outgoing(from: [id])
        var page = try await K.detail(model, links: links[id] ?? ResolvedLinks(), repository: repository)
        let base = "/\(K.type.rawValue)/\(model.slug)"
        page.historyHref = base + "/history"
        if K.type.showsSimilarItems {
            let similar = try await SimilarItems(service: SearchService(database: req.db, reader: req.reader),
                                            backgroundWrites: req.application.backgroundWrites).find(for: id)
            if !similar.isEmpty {
                page.related.append(RelatedGroup(heading: "Éléments similaires", cards: similar.map { hit in
                    Card(title: hit.title, href: "/\(hit.type.rawValue)/\(hit.slug)", kicker: hit.type.singularLabel,
                         excerpt: SearchText.excerpt(hit.bodyText))
                }))
            }
        }
        if req.reader.isSignedIn {
            let ownership = try await LinkResolver(database: req.db, reader: .system).outgoing(from: [id])[id]
                .map { $0.ownership(itemID: id, type: K.type) } ?? ItemOwnership(itemID: id)
            if req.reader.canEdit(K.type, ownership) {
                page.actions = [LinkItem(label: "Modifier", href: base + "/edit"), LinkItem(label: "Supprimer", href: base + "/delete")]
                if K.type == .projects, let project = model as? Project {
                    page.workflow = ProjectWorkflowForms.build(project: project, form: nil, errors: [], csrf: req.csrfToken, target: nil)
                }
            }
            if [.labs, .projects, .networks].contains(K.type), req.reader.canManageMembers(of: K.type, id: id) {
                page.members = try await MembersPanel.load(type: K.type, id: id, slug: model.slug, database: req.db)
            }
        }
        return try await req.renderPage("show", page)
    }
}
