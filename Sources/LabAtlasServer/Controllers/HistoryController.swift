import Fluent
import Foundation
import Vapor
import LabAtlasCore

/// `/{type}/{slug}/history`: every revision, the difference between any two,
/// restoring one (itself a new revision) and undoing a deletion.
struct HistoryController<K: ItemForm>: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let group = routes.grouped(PathComponent(stringLiteral: K.type.rawValue), ":slug", "history")
        group.get(use: history)
        group.post(":number", "restore", use: restore)
        routes.grouped(PathComponent(stringLiteral: K.type.rawValue)).post(":slug", "undelete", use: undelete)
    }

    struct HistoryPage: PageContext {
        var layout: Layout
        var title: String
        var itemHref: String?
        var isDeleted: Bool
        var rows: [RevisionRow]
        var compareOptions: [CompareOption]
        var from: Int?
        var to: Int?
        var changes: [ChangeRow]
        var changesSummary: String?
        var canRestore: Bool
        var canUndelete: Bool
        var currentRevision: Int
        var csrf: String?
        var slug: String
        var typePath: String
    }

    struct RevisionRow: Encodable {
        var number: Int
        var date: String
        var isoDate: String
        var author: String
        var action: String
        var summary: String
        var isCurrent: Bool
        var compareHref: String?
    }

    struct CompareOption: Encodable {
        var number: Int
        var label: String
        var fromSelected: Bool
        var toSelected: Bool
    }

    /// The item with its deleted state: a deleted item's history is for administrators only.
    private func item(_ req: Request) async throws -> (K.M, ResolvedLinks) {
        guard let slug = req.parameters.get("slug"), TextFolding.isValidSlug(slug),
              let model = try await K.M.query(on: req.db).withDeleted().filter(CommonColumn.slug, .equal, slug).first() else {
            throw Abort(.notFound, reason: "Aucun élément ne porte cet identifiant.")
        }
        let visible = model.deletedAt == nil
            ? try await ItemRepository(database: req.db, reader: req.reader).find(K.self, slug: slug) != nil
            : req.reader.seesEverything
        guard visible else { throw Abort(.notFound, reason: "Aucun élément ne porte cet identifiant.") }
        let links = try await LinkResolver(database: req.db, reader: .system).outgoing(from: [try model.requiredID])[try model.requiredID] ?? ResolvedLinks()
        return (model, links)
    }

    @Sendable func history(req: Request) async throws -> Response {
        let (model, links) = try await item(req)
        let id = try model.requiredID
        let log = RevisionLog(database: req.db)
        let revisions = try await log.revisions(of: id)
        let query = ListParameters.rawQuery(req)
        let numbers = Set(revisions.map(\.number))
        func revisionNumber(_ name: String) throws -> Int? {
            guard let text = query[name], !text.isEmpty else { return nil }
            guard let number = Int(text), numbers.contains(number) else {
                throw BadParameter(name, "« \(text) » n'est pas un numéro de version de cet élément")
            }
            return number
        }
        var from = try revisionNumber("from")
        var to = try revisionNumber("to")
        if to == nil, from == nil, revisions.count > 1 { to = revisions.first?.number; from = revisions.dropFirst().first?.number }
        var changes: [ChangeRow] = []
        if let fromNumber = from, let toNumber = to,
           let old = revisions.first(where: { $0.number == fromNumber }), let new = revisions.first(where: { $0.number == toNumber }) {
            // Snapshots hold contact details: they stay behind the same rule as the item page.
            let hidden: Set<String> = req.reader.seesContacts(ofLabs: links.ownership(itemID: id, type: K.type).labIDs)
                ? [] : ["contact", "pilot_contact"]
            changes = HistoryPresenter.changes(old: RevisionLog.fields(of: old).filter { !hidden.contains($0.key) },
                                               new: RevisionLog.fields(of: new).filter { !hidden.contains($0.key) })
        } else {
            from = nil
            to = nil
        }
        let canEdit = req.reader.canEdit(K.type, links.ownership(itemID: id, type: K.type))
        let base = "/\(K.type.rawValue)/\(model.slug)/history"
        let page = HistoryPage(
            layout: Layout(title: "Historique de « \(model.displayTitle) » — LabAtlas", section: K.type.rawValue),
            title: model.displayTitle, itemHref: model.deletedAt == nil ? "/\(K.type.rawValue)/\(model.slug)" : nil,
            isDeleted: model.deletedAt != nil,
            rows: revisions.enumerated().map { index, revision in
                RevisionRow(number: revision.number, date: revision.createdAt.map(Self.dateTime) ?? "",
                            isoDate: revision.createdAt.map(ParisTime.iso8601) ?? "", author: revision.authorName,
                            action: revision.action.label, summary: revision.summary, isCurrent: index == 0,
                            compareHref: index + 1 < revisions.count ? "\(base)?from=\(revisions[index + 1].number)&to=\(revision.number)" : nil)
            },
            compareOptions: revisions.map { CompareOption(number: $0.number, label: "Version \($0.number) — \($0.createdAt.map(Self.dateTime) ?? "")",
                                                          fromSelected: $0.number == from, toSelected: $0.number == to) },
            from: from, to: to, changes: changes,
            changesSummary: from == nil ? nil : (changes.isEmpty ? "Aucune différence entre ces deux versions." : nil),
            canRestore: canEdit && model.deletedAt == nil, canUndelete: req.reader.seesEverything && model.deletedAt != nil,
            currentRevision: model.revision, csrf: req.reader.isSignedIn ? req.csrfToken : nil,
            slug: model.slug, typePath: K.type.rawValue)
        return try await req.renderPage("history", page)
    }

    @Sendable func restore(req: Request) async throws -> Response {
        let user = try await req.signedInUser()
        let (model, links) = try await item(req)
        guard model.deletedAt == nil else { throw Abort(.conflict, reason: "Rétablissez d'abord l'élément supprimé.") }
        guard req.reader.canEdit(K.type, links.ownership(itemID: model.id, type: K.type)) else { throw ItemEditController<K>.forbidden }
        guard let number = req.parameters.get("number").flatMap(Int.init),
              let revision = try await RevisionLog(database: req.db).revision(number, of: try model.requiredID) else {
            throw Abort(.notFound, reason: "Cette version n'existe pas.")
        }
        let form = try FormData.from(req)
        let dto = try RevisionLog.dto(K.self, from: revision)
        do {
            try await ItemWriter(database: req.db).save(K.self, dto, existing: model, context: SaveContext(
                author: user.account, reader: req.reader, baseRevision: form["_base_revision"].flatMap(Int.init) ?? model.revision,
                action: .restore, summary: "Restauration de la version \(number)"))
        } catch let failure as ValidationFailure {
            throw Abort(.unprocessableEntity, reason: "Cette version ne peut pas être restaurée telle quelle : "
                        + failure.errors.map { "\(FieldLabels.label(for: $0.field)) — \($0.message)" }.joined(separator: " "))
        } catch is EditConflict {
            throw Abort(.conflict, reason: "L'élément a été modifié entre-temps : rechargez l'historique et recommencez.")
        }
        return req.redirect(to: "/\(K.type.rawValue)/\(model.slug)/history", redirectType: .normal)
    }

    @Sendable func undelete(req: Request) async throws -> Response {
        let user = try await req.signedInUser()
        guard req.reader.seesEverything else {
            throw Abort(.forbidden, reason: "Seul un administrateur peut annuler une suppression.")
        }
        let (model, _) = try await item(req)
        guard model.deletedAt != nil else { return req.redirect(to: "/\(K.type.rawValue)/\(model.slug)", redirectType: .normal) }
        try await ItemWriter(database: req.db).undelete(K.self, model, context: SaveContext(
            author: user.account, reader: req.reader, action: .undelete, summary: "Annulation de la suppression"))
        return req.redirect(to: "/\(K.type.rawValue)/\(model.slug)", redirectType: .normal)
    }

    static func dateTime(_ date: Date) -> String {
        "\(ParisTime.calendarDate(date).frenchLabel) à \(ParisTime.timeLabel(date))"
    }
}
