import Fluent
import Foundation
import Vapor
import LabAtlasCore

/// Inviting people by link into a network, a lab or a project (or, for an
/// administrator, simply onto the site), and accepting such a link.
struct InvitationController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let invitations = routes.grouped("invitations")
        invitations.get("new", use: new)
        invitations.post(use: create)
        invitations.get(":token", use: show)
        invitations.post(":token", use: accept)
    }

    /// Where an invitation leads: a network, lab or project, or nothing (a plain account).
    struct Scope {
        var type: ItemType
        var id: UUID
        var slug: String
        var title: String
        var roles: [(value: String, label: String)]
    }

    private func scope(_ req: Request, type: String?, slug: String?) async throws -> Scope? {
        guard let type, !type.isEmpty else { return nil }
        guard let itemType = ItemType(rawValue: type), [.networks, .labs, .projects].contains(itemType) else {
            throw BadParameter("type", "attendu networks, labs ou projects")
        }
        guard let slug, let ref = try await LinkResolver(database: req.db, reader: .system).lookup(itemType, slugs: [slug])[slug] else {
            throw Abort(.notFound, reason: "Cet élément n'existe pas.")
        }
        let roles: [(value: String, label: String)] = itemType == .networks
            ? NetworkRole.allCases.map { ($0.rawValue, $0.label) } : TeamAccess.allCases.map { ($0.rawValue, $0.label) }
        return Scope(type: itemType, id: ref.id, slug: ref.slug, title: ref.title, roles: roles)
    }

    private func authorise(_ req: Request, _ scope: Scope?) throws {
        if let scope {
            guard req.reader.canManageMembers(of: scope.type, id: scope.id) else {
                throw Abort(.forbidden, reason: "Seuls les administrateurs de cet espace peuvent inviter.")
            }
        } else if !req.reader.seesEverything {
            throw Abort(.forbidden, reason: "Seul un administrateur du site peut inviter sans rattachement.")
        }
    }

    @Sendable func new(req: Request) async throws -> Response {
        _ = try await req.signedInUser()
        let query = ListParameters.rawQuery(req)
        let scope = try await scope(req, type: query["type"], slug: query["slug"])
        try authorise(req, scope)
        var form = FormData()
        form["role"] = scope == nil ? nil : (scope?.type == .networks ? NetworkRole.member.rawValue : TeamAccess.editor.rawValue)
        return try await render(req, scope: scope, form: form, errors: [])
    }

    private func render(_ req: Request, scope: Scope?, form: FormData, errors: [FieldError]) async throws -> Response {
        var specs = [FieldSpec(name: "email", label: "Adresse électronique de la personne invitée", kind: .email, required: true)]
        if let scope { specs.append(FieldSpec(name: "role", label: "Rôle", kind: .select, options: scope.roles, required: true)) }
        var hidden: [HiddenField] = []
        if let scope { hidden = [HiddenField(name: "type", value: scope.type.rawValue), HiddenField(name: "slug", value: scope.slug)] }
        let heading = scope.map { "Inviter dans « \($0.title) »" } ?? "Inviter une personne sur LabAtlas"
        var page = FormPage.build(layout: Layout(title: "\(heading) — LabAtlas", section: scope?.type.rawValue ?? "account"),
                                  heading: heading, action: "/invitations", submitLabel: "Créer le lien d'invitation",
                                  specs: specs, form: form, errors: errors, hidden: hidden,
                                  cancelHref: scope.map { "/\($0.type.rawValue)/\($0.slug)" } ?? "/account",
                                  intro: "La personne reçoit un lien valable 14 jours pour créer son compte ou rejoindre l'espace avec son compte existant.")
        page.csrf = req.csrfToken
        return try await req.renderPage("form", page, status: errors.isEmpty ? .ok : .unprocessableEntity)
    }

    @Sendable func create(req: Request) async throws -> Response {
        let user = try await req.signedInUser()
        let form = try FormData.from(req)
        let scope = try await scope(req, type: form["type"], slug: form["slug"])
        try authorise(req, scope)
        var role: String?
        if let scope {
            guard let value = form["role"], scope.roles.contains(where: { $0.value == value }) else {
                return try await render(req, scope: scope, form: form, errors: [FieldError("role", "Choisissez un rôle dans la liste.")])
            }
            role = value
        }
        let token: String
        do {
            token = try await AccountService(database: req.db, application: req.application).createInvitation(
                email: form["email"] ?? "", scope: scope.map { ($0.type, $0.id) }, role: role, invitedBy: try user.requireID())
        } catch let failure as ValidationFailure {
            return try await render(req, scope: scope, form: form, errors: failure.errors)
        }
        let link = req.publicURL("/invitations/\(token)")
        let place = scope.map { "« \($0.title) »" } ?? "LabAtlas"
        try await req.mailer.send(to: User.normalise(email: form["email"] ?? ""), subject: "Invitation à rejoindre \(place) sur LabAtlas",
            body: "Bonjour,\n\n\(user.name) vous invite à rejoindre \(place) sur LabAtlas, l'atlas des labs d'innovation publique.\n\nPour accepter, ouvrez ce lien dans les 14 jours :\n\n\(link)\n")
        let page = MessagePage(layout: Layout(title: "Invitation créée — LabAtlas", section: scope?.type.rawValue ?? "account"),
                               heading: "Invitation créée",
                               paragraphs: ["Le lien ci-dessous a été envoyé à \(User.normalise(email: form["email"] ?? "")) (ou, sans messagerie configurée, écrit dans le journal du serveur). Vous pouvez aussi le transmettre vous-même : il est valable 14 jours et ne sert qu'une fois."],
                               code: link, codeLabel: "Lien d'invitation",
                               links: [LinkItem(label: "Revenir", href: scope.map { "/\($0.type.rawValue)/\($0.slug)" } ?? "/account")])
        return try await req.renderPage("message", page)
    }

    static let accountSpecs = [
        FieldSpec(name: "name", label: "Votre nom", kind: .text, required: true),
        FieldSpec(name: "password", label: "Mot de passe", kind: .password,
                  hint: "Au moins \(AccountService.minimumPasswordLength) caractères.", required: true),
        FieldSpec(name: "confirm_password", label: "Confirmez le mot de passe", kind: .password, required: true),
    ]

    @Sendable func show(req: Request) async throws -> Response {
        let (invitation, token) = try await valid(req)
        return try await renderAcceptance(req, invitation: invitation, token: token, form: FormData(), errors: [])
    }

    private func valid(_ req: Request) async throws -> (Invitation, String) {
        let token = req.parameters.get("token") ?? ""
        guard let invitation = try await AccountService(database: req.db, application: req.application).validInvitation(token) else {
            throw Abort(.notFound, reason: "Ce lien d'invitation n'est plus valable : il a expiré ou a déjà servi. Demandez une nouvelle invitation.")
        }
        return (invitation, token)
    }

    private func renderAcceptance(_ req: Request, invitation: Invitation, token: String, form: FormData, errors: [FieldError]) async throws -> Response {
        var title = "LabAtlas"
        if let type = invitation.scopeType.flatMap(ItemType.init(rawValue:)), let id = invitation.scopeID,
           let ref = try await LinkResolver(database: req.db, reader: .system).references([type: [id]])[id] {
            title = "« \(ref.title) »"
        }
        let signedIn = req.reader.isSignedIn
        let hasAccount = try await User.query(on: req.db).filter(\.$email == invitation.email).count() > 0
        var page = FormPage.build(
            layout: Layout(title: "Invitation — LabAtlas", section: "account"), heading: "Rejoindre \(title)",
            action: "/invitations/\(token)", submitLabel: signedIn ? "Accepter l'invitation" : "Créer mon compte et rejoindre",
            specs: signedIn ? [] : Self.accountSpecs, form: FormData(keeping: form, except: ["password", "confirm_password"]),
            errors: errors,
            intro: signedIn ? "Vous êtes connecté·e : acceptez pour rejoindre \(title) avec votre compte."
                : "Cette invitation est adressée à \(invitation.email). Choisissez votre nom et un mot de passe.")
        if !signedIn, hasAccount {
            page.notice = "Un compte existe déjà pour \(invitation.email) : connectez-vous d'abord, puis rouvrez ce lien."
            page.fields = []
            page.action = "/login?next=/invitations/\(token)"
        }
        page.csrf = req.csrfToken
        return try await req.renderPage("form", page, status: errors.isEmpty ? .ok : .unprocessableEntity)
    }

    @Sendable func accept(req: Request) async throws -> Response {
        let (invitation, token) = try await valid(req)
        let service = AccountService(database: req.db, application: req.application)
        let form = try FormData.from(req)
        let user: User
        if req.reader.isSignedIn {
            user = try await req.signedInUser()
        } else {
            guard form.raw("password") == form.raw("confirm_password") else {
                return try await renderAcceptance(req, invitation: invitation, token: token, form: form,
                                                  errors: [FieldError("confirm_password", "Les deux saisies du mot de passe diffèrent.")])
            }
            do {
                user = try await service.createUser(email: invitation.email, name: form["name"] ?? "", password: form.raw("password"))
            } catch let failure as ValidationFailure {
                return try await renderAcceptance(req, invitation: invitation, token: token, form: form, errors: failure.errors)
            }
            try await req.startSession(for: try user.requireID())
        }
        try await service.accept(invitation, by: user)
        if let type = invitation.scopeType, let id = invitation.scopeID,
           let ref = try await LinkResolver(database: req.db, reader: .system).references([ItemType(rawValue: type) ?? .labs: [id]])[id] {
            return req.redirect(to: ref.path, redirectType: .normal)
        }
        return req.redirect(to: "/account", redirectType: .normal)
    }
}

/// Members of a lab, project or network, for those who manage them.
struct MembersPanel: Encodable {
    var members: [MemberRow]
    var inviteHref: String
}

struct MemberRow: Encodable {
    var name: String
    var role: String
}

extension MembersPanel {
    static func load(type: ItemType, id: UUID, slug: String, database: any Database) async throws -> MembersPanel {
        let memberships = try await Membership.query(on: database).filter(\.$scopeType == type.rawValue)
            .filter(\.$scopeID == id).with(\.$user).all()
        return MembersPanel(
            members: memberships.map { membership in
                MemberRow(name: membership.user.name,
                          role: NetworkRole(rawValue: membership.role)?.label ?? TeamAccess(rawValue: membership.role)?.label ?? membership.role)
            }.sorted { $0.name < $1.name },
            inviteHref: "/invitations/new?type=\(type.rawValue)&slug=\(slug)")
    }
}
