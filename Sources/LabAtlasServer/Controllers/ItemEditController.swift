import Fluent
import Foundation
import Vapor
import LabAtlasCore

/// Creating, editing and deleting items of one type from browser forms.
struct ItemEditController<K: ItemForm>: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let group = routes.grouped(PathComponent(stringLiteral: K.type.rawValue))
        group.get("new", use: new)
        group.post(use: create)
        group.get(":slug", "edit", use: edit)
        group.post(":slug", use: update)
        group.get(":slug", "delete", use: confirmDelete)
        group.post(":slug", "delete", use: delete)
    }

    // MARK: Create

    @Sendable func new(req: Request) async throws -> Response {
        _ = try await req.signedInUser()
        guard req.reader.canCreate(K.type) else { throw Self.forbidden }
        var form = FormData()
        form["visibility"] = Visibility.public.rawValue
        return try await render(req, form: form, errors: [], existing: nil)
    }

    @Sendable func create(req: Request) async throws -> Response {
        let user = try await req.signedInUser()
        guard req.reader.canCreate(K.type) else { throw Self.forbidden }
        let form = try FormData.from(req)
        let (dto, parseErrors) = K.dto(from: form, base: nil)
        guard parseErrors.isEmpty else { return try await render(req, form: form, errors: parseErrors, existing: nil) }
        do {
            let model = try await ItemWriter(database: req.db).save(K.self, dto, context: SaveContext(
                author: user.account, reader: req.reader, action: .create, summary: form["_summary"]))
            return req.redirect(to: "/\(K.type.rawValue)/\(model.slug)", redirectType: .normal)
        } catch let failure as ValidationFailure {
            return try await render(req, form: form, errors: failure.errors, existing: nil)
        }
    }

    // MARK: Edit

    @Sendable func edit(req: Request) async throws -> Response {
        _ = try await req.signedInUser()
        let (model, dto) = try await editable(req)
        var form = K.formData(from: dto)
        form["_base_revision"] = String(model.revision)
        return try await render(req, form: form, errors: [], existing: model)
    }

    @Sendable func update(req: Request) async throws -> Response {
        let user = try await req.signedInUser()
        let (model, base) = try await editable(req)
        var form = try FormData.from(req)
        let choices = try await FormChoicesLoader(database: req.db, reader: req.reader).load()
        K.keepUnofferedLinks(&form, base: base, choices: choices)
        guard let baseRevision = form["_base_revision"].flatMap(Int.init) else {
            throw Abort(.badRequest, reason: "Le formulaire ne dit pas de quelle version il part (champ « _base_revision »).")
        }
        let (dto, parseErrors) = K.dto(from: form, base: base)
        guard parseErrors.isEmpty else { return try await render(req, form: form, errors: parseErrors, existing: model, choices: choices) }
        do {
            try await ItemWriter(database: req.db).save(K.self, dto, existing: model, context: SaveContext(
                author: user.account, reader: req.reader, baseRevision: baseRevision, action: .update, summary: form["_summary"]))
            return req.redirect(to: "/\(K.type.rawValue)/\(model.slug)", redirectType: .normal)
        } catch let failure as ValidationFailure {
            return try await render(req, form: form, errors: failure.errors, existing: model, choices: choices)
        } catch let conflict as EditConflict {
            return try await renderConflict(req, form: form, model: model, startedFrom: baseRevision, current: conflict.currentRevision, choices: choices)
        }
    }

    // MARK: Delete

    @Sendable func confirmDelete(req: Request) async throws -> Response {
        _ = try await req.signedInUser()
        let (model, _) = try await editable(req)
        let page = ConfirmPage(
            layout: Layout(title: "Supprimer « \(model.displayTitle) » — LabAtlas", section: K.type.rawValue),
            heading: "Supprimer « \(model.displayTitle) » ?",
            message: "L'élément disparaîtra des listes, des pages et de l'API. Son historique est conservé et un administrateur peut annuler la suppression.",
            action: "/\(K.type.rawValue)/\(model.slug)/delete", submitLabel: "Supprimer définitivement de l'atlas",
            cancelHref: "/\(K.type.rawValue)/\(model.slug)", baseRevision: model.revision, csrf: req.csrfToken)
        return try await req.renderPage("confirm", page)
    }

    @Sendable func delete(req: Request) async throws -> Response {
        let user = try await req.signedInUser()
        let (model, _) = try await editable(req)
        let form = try FormData.from(req)
        do {
            try await ItemWriter(database: req.db).delete(K.self, model, context: SaveContext(
                author: user.account, reader: req.reader, baseRevision: form["_base_revision"].flatMap(Int.init), action: .delete,
                summary: "Suppression"))
        } catch is EditConflict {
            throw Abort(.conflict, reason: "L'élément a été modifié entre-temps : rouvrez sa page, vérifiez-la, puis supprimez-le si besoin.")
        }
        return req.redirect(to: "/\(K.type.rawValue)/\(model.slug)/history", redirectType: .normal)
    }

    // MARK: Shared

    static var forbidden: Abort {
        Abort(.forbidden, reason: "Votre compte ne vous permet pas de modifier cet élément. Demandez à un administrateur du lab de vous donner le rôle d'éditeur·rice.")
    }

    /// The item, if it exists, the reader sees it and may edit it; with its full DTO (hidden links included).
    private func editable(_ req: Request) async throws -> (K.M, K.DTO) {
        let repository = ItemRepository(database: req.db, reader: req.reader)
        guard let slug = req.parameters.get("slug"), let model = try await repository.find(K.self, slug: slug) else {
            throw Abort(.notFound, reason: "Aucun élément de type « \(K.type.singularLabel.lowercased()) » ne porte cet identifiant.")
        }
        let system = ItemRepository(database: req.db, reader: .system)
        let links = try await system.links.outgoing(from: [try model.requiredID])[try model.requiredID] ?? ResolvedLinks()
        guard req.reader.canEdit(K.type, links.ownership(itemID: model.id, type: K.type)) else { throw Self.forbidden }
        guard let dto = try await system.dtos(K.self, [model]).first else { throw Abort(.notFound) }
        return (model, dto)
    }

    func render(_ req: Request, form: FormData, errors: [FieldError], existing: K.M?, choices: FormChoices? = nil) async throws -> Response {
        let loaded: FormChoices
        if let choices { loaded = choices } else { loaded = try await FormChoicesLoader(database: req.db, reader: req.reader).load() }
        var page = formPage(req, form: form, errors: errors, existing: existing, choices: loaded)
        page.csrf = req.csrfToken
        return try await req.renderPage("form", page, status: errors.isEmpty ? .ok : .unprocessableEntity)
    }

    private func formPage(_ req: Request, form: FormData, errors: [FieldError], existing: K.M?, choices: FormChoices) -> FormPage {
        var specs = K.fieldSpecs(choices)
        if existing != nil {
            specs.removeAll { K.type == .projects && $0.name == "stage" }
            specs.append(FieldSpec(name: "_summary", label: "Résumé de la modification", kind: .text,
                                   hint: "Facultatif : il apparaîtra dans l'historique."))
        }
        let heading = existing.map { "Modifier « \($0.displayTitle) »" } ?? "Nouveau : \(K.type.singularLabel.lowercased())"
        return FormPage.build(
            layout: Layout(title: "\(heading) — LabAtlas", section: K.type.rawValue), heading: heading,
            action: existing.map { "/\(K.type.rawValue)/\($0.slug)" } ?? "/\(K.type.rawValue)",
            submitLabel: existing == nil ? "Créer" : "Enregistrer", specs: specs, form: form, errors: errors,
            hidden: form["_base_revision"].map { [HiddenField(name: "_base_revision", value: $0)] } ?? [],
            cancelHref: existing.map { "/\(K.type.rawValue)/\($0.slug)" } ?? "/\(K.type.rawValue)")
    }

    /// The save came from an old revision: show what changed since, keep every character typed,
    /// and let the user save again over the current revision knowingly.
    private func renderConflict(_ req: Request, form: FormData, model: K.M, startedFrom: Int, current: Int, choices: FormChoices) async throws -> Response {
        var form = form
        form["_base_revision"] = String(current)
        let log = RevisionLog(database: req.db)
        let id = try model.requiredID
        let before = try await log.revision(startedFrom, of: id).map(RevisionLog.fields) ?? [:]
        let now = try await log.revision(current, of: id).map(RevisionLog.fields) ?? [:]
        var page = formPage(req, form: form, errors: [], existing: model, choices: choices)
        page.layout.title = "Conflit de modification — " + page.layout.title
        page.conflict = ConflictView(currentRevision: current, changes: HistoryPresenter.changes(old: before, new: now),
                                     historyHref: "/\(K.type.rawValue)/\(model.slug)/history")
        page.csrf = req.csrfToken
        return try await req.renderPage("form", page, status: .conflict)
    }
}

struct ConfirmPage: PageContext {
    var layout: Layout
    var heading: String
    var message: String
    var action: String
    var submitLabel: String
    var cancelHref: String
    var baseRevision: Int
    var csrf: String
}
