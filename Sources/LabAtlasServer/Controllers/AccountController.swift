import Fluent
import Foundation
import Vapor
import LabAtlasCore

/// Sign-in, sign-out, the account page (password, API tokens) and password reset.
struct AccountController: RouteCollection {
    static let maxFailures = 10
    static let throttleWindow: TimeInterval = 15 * 60

    func boot(routes: any RoutesBuilder) throws {
        routes.get("login", use: loginForm)
        routes.post("login", use: login)
        routes.post("logout", use: logout)
        let account = routes.grouped("account")
        account.get(use: accountPage)
        account.post("password", use: changePassword)
        account.post("tokens", use: createToken)
        account.post("tokens", ":id", "revoke", use: revokeToken)
        let password = routes.grouped("password")
        password.get("forgot", use: forgotForm)
        password.post("forgot", use: forgot)
        password.get("reset", ":token", use: resetForm)
        password.post("reset", ":token", use: reset)
    }

    // MARK: Sign-in

    static let loginSpecs = [
        FieldSpec(name: "email", label: "Adresse électronique", kind: .email, required: true),
        FieldSpec(name: "password", label: "Mot de passe", kind: .text, required: true),
    ]

    @Sendable func loginForm(req: Request) async throws -> Response {
        if req.reader.isSignedIn { return req.redirect(to: "/account") }
        var form = FormData()
        form["next"] = Self.safeNext(ListParameters.rawQuery(req)["next"])
        return try await renderLogin(req, form: form, errors: [])
    }

    func renderLogin(_ req: Request, form: FormData, errors: [FieldError], status: HTTPStatus = .ok, notice: String? = nil) async throws -> Response {
        var specs = Self.loginSpecs
        specs[1].kind = .password
        var page = FormPage.build(layout: Layout(title: "Se connecter — LabAtlas", section: "login"), heading: "Se connecter",
                                  action: "/login", submitLabel: "Se connecter", specs: specs, form: FormData(keeping: form, except: ["password"]),
                                  errors: errors, hidden: [HiddenField(name: "next", value: form["next"] ?? "/")],
                                  intro: "Connectez-vous avec l'adresse électronique de votre compte LabAtlas.")
        page.csrf = req.csrfToken
        page.notice = notice
        return try await req.renderPage("form", page, status: status)
    }

    @Sendable func login(req: Request) async throws -> Response {
        let form = try FormData.from(req)
        let email = User.normalise(email: form["email"] ?? "")
        let address = req.remoteAddress?.ipAddress ?? "inconnue"
        let since = Date().addingTimeInterval(-Self.throttleWindow)
        let failures = try await LoginAttempt.query(on: req.db)
            .filter(\.$succeeded == false).filter(\.$at > since)
            .group(.or) { $0.filter(\.$email == email).filter(\.$address == address) }
            .count()
        if failures >= Self.maxFailures {
            return try await renderLogin(req, form: form, errors: [FieldError("email",
                "Trop de tentatives de connexion ont échoué pour ce compte ou depuis votre adresse. Pour votre sécurité, réessayez dans 15 minutes ou réinitialisez votre mot de passe.")],
                status: .tooManyRequests)
        }
        let service = AccountService(database: req.db, application: req.application)
        let user = try await service.authenticate(email: email, password: form.raw("password"))
        try await LoginAttempt(email: email, address: address, succeeded: user != nil).create(on: req.db)
        guard let user, let id = user.id else {
            return try await renderLogin(req, form: form, errors: [FieldError("password", "Adresse électronique ou mot de passe incorrect.")],
                                         status: .unauthorized)
        }
        try await req.startSession(for: id)
        return req.redirect(to: Self.safeNext(form["next"]))
    }

    @Sendable func logout(req: Request) async throws -> Response {
        req.session.destroy()
        return req.redirect(to: "/")
    }

    /// Only local paths: a sign-in link must never send people to another site.
    static func safeNext(_ next: String?) -> String {
        guard let next, next.hasPrefix("/"), !next.hasPrefix("//"), !next.contains("\\"), next.count < 500 else { return "/" }
        return next
    }

    // MARK: Account page

    @Sendable func accountPage(req: Request) async throws -> Response {
        try await renderAccount(req, newToken: nil, passwordErrors: [], notice: nil)
    }

    func renderAccount(_ req: Request, newToken: String?, passwordErrors: [String], notice: String?, status: HTTPStatus = .ok) async throws -> Response {
        let user = try await req.signedInUser()
        let userID = try user.requireID()
        var rows: [MembershipRow] = []
        let memberships = try await Membership.query(on: req.db).filter(\.$user.$id == userID).all()
        let resolver = LinkResolver(database: req.db, reader: .system)
        let refs = try await resolver.references(Dictionary(grouping: memberships, by: { ItemType(rawValue: $0.scopeType) ?? .labs })
            .mapValues { $0.map(\.scopeID) })
        for membership in memberships {
            guard let ref = refs[membership.scopeID] else { continue }
            let role = NetworkRole(rawValue: membership.role)?.label ?? TeamAccess(rawValue: membership.role)?.label ?? membership.role
            rows.append(MembershipRow(scope: ref.type.singularLabel, title: ref.title, href: ref.path, role: role))
        }
        let tokens = try await APIToken.query(on: req.db).filter(\.$user.$id == userID).sort(\.$createdAt, .descending).all()
        let page = AccountPage(
            layout: Layout(title: "Mon compte — LabAtlas", section: "account"),
            name: user.name, email: user.email, isAdmin: user.isAdmin,
            memberships: rows.sorted { $0.title < $1.title },
            tokens: tokens.map { token in
                TokenRow(id: token.id?.uuidString ?? "", label: token.label, created: French.date(token.createdAt) ?? "",
                         lastUsed: French.date(token.lastUsedAt), revoked: token.revokedAt != nil)
            },
            newToken: newToken, csrf: req.csrfToken, passwordErrors: passwordErrors, notice: notice)
        return try await req.renderPage("account", page, status: status)
    }

    @Sendable func changePassword(req: Request) async throws -> Response {
        let user = try await req.signedInUser()
        let form = try FormData.from(req)
        let service = AccountService(database: req.db, application: req.application)
        guard try await PasswordHashing.verify(form.raw("current_password"), created: user.passwordHash) else {
            return try await renderAccount(req, newToken: nil, passwordErrors: ["Le mot de passe actuel est incorrect."], notice: nil, status: .unprocessableEntity)
        }
        guard form.raw("new_password") == form.raw("confirm_password") else {
            return try await renderAccount(req, newToken: nil, passwordErrors: ["Les deux saisies du nouveau mot de passe diffèrent."], notice: nil, status: .unprocessableEntity)
        }
        do {
            try await service.setPassword(user, to: form.raw("new_password"))
        } catch let failure as ValidationFailure {
            return try await renderAccount(req, newToken: nil, passwordErrors: failure.errors.map(\.message), notice: nil, status: .unprocessableEntity)
        }
        return try await renderAccount(req, newToken: nil, passwordErrors: [], notice: "Votre mot de passe a été changé.")
    }

    @Sendable func createToken(req: Request) async throws -> Response {
        let user = try await req.signedInUser()
        let form = try FormData.from(req)
        let (token, _) = try await AccountService(database: req.db, application: req.application)
            .createToken(for: user, label: String((form["label"] ?? "").prefix(100)))
        return try await renderAccount(req, newToken: token, passwordErrors: [], notice: nil)
    }

    @Sendable func revokeToken(req: Request) async throws -> Response {
        let user = try await req.signedInUser()
        guard let id = req.parameters.get("id").flatMap(UUID.init(uuidString:)),
              let token = try await APIToken.query(on: req.db).filter(\.$id == id).filter(\.$user.$id == user.requireID()).first() else {
            throw Abort(.notFound, reason: "Ce jeton n'existe pas.")
        }
        token.revokedAt = token.revokedAt ?? Date()
        try await token.save(on: req.db)
        return try await renderAccount(req, newToken: nil, passwordErrors: [], notice: "Le jeton « \(token.label) » est révoqué.")
    }

    // MARK: Password reset

    @Sendable func forgotForm(req: Request) async throws -> Response {
        try await renderForgot(req, form: FormData(), errors: [])
    }

    func renderForgot(_ req: Request, form: FormData, errors: [FieldError]) async throws -> Response {
        var page = FormPage.build(layout: Layout(title: "Mot de passe oublié — LabAtlas", section: "login"),
                                  heading: "Mot de passe oublié", action: "/password/forgot", submitLabel: "Recevoir un lien",
                                  specs: [FieldSpec(name: "email", label: "Adresse électronique", kind: .email, required: true)],
                                  form: form, errors: errors, cancelHref: "/login",
                                  intro: "Indiquez l'adresse de votre compte : vous recevrez un lien, valable une heure, pour choisir un nouveau mot de passe.")
        page.csrf = req.csrfToken
        return try await req.renderPage("form", page)
    }

    @Sendable func forgot(req: Request) async throws -> Response {
        let form = try FormData.from(req)
        let email = User.normalise(email: form["email"] ?? "")
        if let user = try await User.query(on: req.db).filter(\.$email == email).first() {
            let token = try await AccountService(database: req.db, application: req.application).createPasswordReset(for: user)
            let link = req.publicURL("/password/reset/\(token)")
            try await req.mailer.send(to: user.email, subject: "LabAtlas : choisir un nouveau mot de passe",
                body: "Bonjour \(user.name),\n\nPour choisir un nouveau mot de passe LabAtlas, ouvrez ce lien dans l'heure :\n\n\(link)\n\nSi vous n'êtes pas à l'origine de cette demande, ignorez ce message : votre mot de passe reste inchangé.\n")
        }
        // The same answer whether or not the account exists: the page must not reveal who has one.
        let page = MessagePage(layout: Layout(title: "Lien envoyé — LabAtlas", section: "login"), heading: "Vérifiez votre messagerie",
                               paragraphs: ["Si un compte existe pour cette adresse, un lien pour choisir un nouveau mot de passe vient d'y être envoyé. Il est valable une heure et ne sert qu'une fois."],
                               code: nil, codeLabel: nil, links: [LinkItem(label: "Revenir à la connexion", href: "/login")])
        return try await req.renderPage("message", page)
    }

    static let resetSpecs = [
        FieldSpec(name: "new_password", label: "Nouveau mot de passe", kind: .password,
                  hint: "Au moins \(AccountService.minimumPasswordLength) caractères.", required: true),
        FieldSpec(name: "confirm_password", label: "Confirmez le mot de passe", kind: .password, required: true),
    ]

    @Sendable func resetForm(req: Request) async throws -> Response {
        let token = req.parameters.get("token") ?? ""
        guard try await AccountService(database: req.db, application: req.application).validReset(token) != nil else {
            throw Abort(.notFound, reason: "Ce lien n'est plus valable : il a expiré ou a déjà servi. Demandez-en un nouveau depuis « Mot de passe oublié ».")
        }
        return try await renderReset(req, token: token, errors: [])
    }

    func renderReset(_ req: Request, token: String, errors: [FieldError]) async throws -> Response {
        var page = FormPage.build(layout: Layout(title: "Nouveau mot de passe — LabAtlas", section: "login"), heading: "Choisir un nouveau mot de passe",
                                  action: "/password/reset/\(token)", submitLabel: "Enregistrer", specs: Self.resetSpecs,
                                  form: FormData(), errors: errors)
        page.csrf = req.csrfToken
        return try await req.renderPage("form", page, status: errors.isEmpty ? .ok : .unprocessableEntity)
    }

    @Sendable func reset(req: Request) async throws -> Response {
        let token = req.parameters.get("token") ?? ""
        let service = AccountService(database: req.db, application: req.application)
        guard let reset = try await service.validReset(token) else {
            throw Abort(.notFound, reason: "Ce lien n'est plus valable : il a expiré ou a déjà servi.")
        }
        let form = try FormData.from(req)
        guard form.raw("new_password") == form.raw("confirm_password") else {
            return try await renderReset(req, token: token, errors: [FieldError("confirm_password", "Les deux saisies diffèrent.")])
        }
        do {
            try await service.setPassword(reset.user, to: form.raw("new_password"))
        } catch let failure as ValidationFailure {
            return try await renderReset(req, token: token, errors: failure.errors.map { FieldError("new_password", $0.message) })
        }
        reset.usedAt = Date()
        try await reset.save(on: req.db)
        var notice = FormData()
        notice["email"] = reset.user.email
        return try await renderLogin(req, form: notice, errors: [], notice: "Votre mot de passe a été changé : vous pouvez vous connecter.")
    }
}

extension FormData {
    /// A copy without some fields (passwords are never sent back to the browser).
    init(keeping other: FormData, except excluded: Set<String>) {
        self = other
        for name in excluded { self[name] = nil }
    }
}

extension Request {
    /// Signs a user in with a new session id, so a session planted before cannot be hijacked after.
    func startSession(for userID: UUID) async throws {
        if let old = session.id {
            try await SessionRecord.query(on: db).filter(\.$key == old).delete()
            session.id = nil
        }
        session.data[ReaderMiddleware.sessionUserKey] = userID.uuidString
        session.data[CSRFMiddleware.sessionKey] = Secrets.newToken()
    }

    /// The signed-in user, or a 401 sending them to the sign-in page.
    func signedInUser() async throws -> User {
        guard let id = reader.account?.id, let user = try await User.find(id, on: db) else {
            throw SignInRequired()
        }
        return user
    }

    /// An absolute URL for links sent by e-mail (`LABATLAS_PUBLIC_URL`, else the request's host).
    func publicURL(_ path: String) -> String {
        if let base = Environment.get("LABATLAS_PUBLIC_URL"), !base.isEmpty {
            return base.hasSuffix("/") ? String(base.dropLast()) + path : base + path
        }
        let host = headers.first(name: .host) ?? "127.0.0.1:8080"
        return "http://\(host)\(path)"
    }
}

/// Thrown when a page needs a signed-in user: pages redirect to /login, the API answers 401.
struct SignInRequired: AbortError {
    var status: HTTPResponseStatus { .unauthorized }
    var reason: String { "Connectez-vous pour accéder à cette page." }
}
