import Fluent
import Foundation
import Vapor
import LabAtlasCore

/// Moving a project to a new stage and recording committee decisions, from its page.
struct ProjectWorkflowController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let project = routes.grouped("projects", ":slug")
        project.post("stages", use: addStage)
        project.post("decisions", use: addDecision)
    }

    @Sendable func addStage(req: Request) async throws -> Response {
        try await change(req) { dto, form in
            var reader = FormReader(form)
            let stage = reader.vocabulary("stage", Stage.self)
            let since = reader.date("since")
            if stage == nil, reader.errors.isEmpty { reader.errors.append(FieldError("stage", "Choisissez la nouvelle phase.")) }
            if since == nil, reader.errors.allSatisfy({ $0.field != "since" }) { reader.errors.append(FieldError("since", "Indiquez la date du changement de phase.")) }
            guard let stage, let since, reader.errors.isEmpty else { return reader.errors }
            if let last = StageHistory.ordered(dto.stageHistory).last, since < last.since {
                return [FieldError("since", "La nouvelle phase ne peut commencer avant la phase actuelle (\(last.since.frenchLabel)).")]
            }
            dto.stageHistory.append(StageEntry(stage: stage, since: since, note: reader.text("note")))
            dto.stage = stage
            return []
        } summary: { form in "Passage en phase « \(Stage.parse(form["stage"] ?? "")?.label ?? "") »" }
    }

    @Sendable func addDecision(req: Request) async throws -> Response {
        try await change(req) { dto, form in
            var reader = FormReader(form)
            let date = reader.date("date")
            let kind = reader.vocabulary("kind", DecisionKind.self)
            let outcome = reader.vocabulary("outcome", DecisionOutcome.self)
            if date == nil, reader.errors.allSatisfy({ $0.field != "date" }) { reader.errors.append(FieldError("date", "Indiquez la date du comité.")) }
            if kind == nil, reader.errors.allSatisfy({ $0.field != "kind" }) { reader.errors.append(FieldError("kind", "Choisissez le type de comité.")) }
            if outcome == nil, reader.errors.allSatisfy({ $0.field != "outcome" }) { reader.errors.append(FieldError("outcome", "Choisissez la décision.")) }
            guard let date, let kind, let outcome, reader.errors.isEmpty else { return reader.errors }
            dto.decisions.append(Decision(date: date, kind: kind, outcome: outcome, note: reader.text("note")))
            return []
        } summary: { form in "Décision de comité : \(DecisionOutcome.parse(form["outcome"] ?? "")?.label ?? "")" }
    }

    /// Loads the project, applies the change to its full DTO and saves it as a new revision;
    /// on a wrong field, the project page comes back with the input and the message.
    private func change(_ req: Request, apply: (inout ProjectDTO, FormData) -> [FieldError],
                        summary: (FormData) -> String) async throws -> Response {
        let user = try await req.signedInUser()
        guard let slug = req.parameters.get("slug"),
              let model = try await ItemRepository(database: req.db, reader: req.reader).find(ProjectKind.self, slug: slug) else {
            throw Abort(.notFound, reason: "Aucun projet ne porte cet identifiant.")
        }
        let system = ItemRepository(database: req.db, reader: .system)
        let id = try model.requiredID
        let links = try await system.links.outgoing(from: [id])[id] ?? ResolvedLinks()
        guard req.reader.canEdit(.projects, links.ownership(itemID: id, type: .projects)) else { throw ItemEditController<ProjectKind>.forbidden }
        guard var dto = try await system.dtos(ProjectKind.self, [model]).first else { throw Abort(.notFound) }
        let form = try FormData.from(req)
        var errors = apply(&dto, form)
        if errors.isEmpty {
            do {
                try await ItemWriter(database: req.db).save(ProjectKind.self, dto, existing: model, context: SaveContext(
                    author: user.account, reader: req.reader, baseRevision: form["_base_revision"].flatMap(Int.init) ?? model.revision,
                    action: .update, summary: summary(form)))
                return req.redirect(to: "/projects/\(slug)#phases", redirectType: .normal)
            } catch let failure as ValidationFailure {
                errors = failure.errors
            } catch is EditConflict {
                errors = [FieldError("_base_revision", "Le projet a été modifié entre-temps par quelqu'un d'autre : vérifiez la page ci-dessous, votre saisie est conservée, puis validez de nouveau.")]
            }
        }
        // Show the project page again with the form filled in and the errors next to the fields.
        let repository = ItemRepository(database: req.db, reader: req.reader)
        guard let fresh = try await repository.find(ProjectKind.self, slug: slug) else { throw Abort(.notFound) }
        let freshLinks = try await repository.links.outgoing(from: [id])[id] ?? ResolvedLinks()
        var page = try await ProjectKind.detail(fresh, links: freshLinks, repository: repository)
        page.workflow = ProjectWorkflowForms.build(project: fresh, form: form, errors: errors, csrf: req.csrfToken,
                                                   target: req.url.path.hasSuffix("/stages") ? "stages" : "decisions")
        return try await req.renderPage("show", page, status: .unprocessableEntity)
    }
}

/// The two forms of a project page, for its editors.
struct ProjectWorkflowForms: Encodable {
    var stageFields: [FormField]
    var decisionFields: [FormField]
    var stageErrors: Bool
    var decisionErrors: Bool
    var baseRevision: Int
    var csrf: String
    var slug: String

    static let stageSpecs = [
        FieldSpec.vocabulary("stage", "Nouvelle phase", Stage.self, required: true),
        FieldSpec(name: "since", label: "Depuis le", kind: .date, required: true),
        FieldSpec(name: "note", label: "Note", kind: .textarea, hint: "Ce qui motive le changement.", rows: 2),
    ]

    static let decisionSpecs = [
        FieldSpec(name: "date", label: "Date du comité", kind: .date, required: true),
        FieldSpec.vocabulary("kind", "Comité", DecisionKind.self, required: true),
        FieldSpec.vocabulary("outcome", "Décision", DecisionOutcome.self, required: true),
        FieldSpec(name: "note", label: "Note", kind: .textarea, rows: 2),
    ]

    static func build(project: Project, form: FormData?, errors: [FieldError], csrf: String, target: String?) -> ProjectWorkflowForms {
        var stageForm = FormData(), decisionForm = FormData()
        stageForm["since"] = ParisTime.calendarDate(Date()).description
        decisionForm["date"] = ParisTime.calendarDate(Date()).description
        if let form, target == "stages" { stageForm = form }
        if let form, target == "decisions" { decisionForm = form }
        let stageErrors = target == "stages" ? errors : []
        let decisionErrors = target == "decisions" ? errors : []
        func prefixed(_ fields: [FormField], _ prefix: String) -> [FormField] {
            fields.map { field in
                var field = field
                field.id = prefix + field.id
                field.hintID = field.hintID.map { prefix + $0 }
                field.errorID = field.errorID.map { prefix + $0 }
                field.options = field.options.map { option in var option = option; option.id = prefix + option.id; return option }
                return field
            }
        }
        return ProjectWorkflowForms(
            stageFields: prefixed(stageSpecs.map { $0.render(stageForm, errors: stageErrors) }, "phase-"),
            decisionFields: prefixed(decisionSpecs.map { $0.render(decisionForm, errors: decisionErrors) }, "comite-"),
            stageErrors: !stageErrors.isEmpty, decisionErrors: !decisionErrors.isEmpty,
            baseRevision: project.revision, csrf: csrf, slug: project.slug)
    }
}
