import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting
@testable import LabAtlasCore
@testable import LabAtlasServer

/// A browser for tests: keeps the session cookie and the last CSRF token,
/// and posts forms as a browser would (urlencoded).
struct TestBrowser {
    let app: Application
    var cookie: String?
    var csrf: String?
    /// Sent as `Authorization: Bearer` on /api paths.
    var bearer: String?

    init(_ app: Application) { self.app = app }

    struct Page {
        var status: HTTPStatus
        var body: String
        var headers: HTTPHeaders
        var location: String? { headers.first(name: .location) }
    }

    @discardableResult
    mutating func get(_ path: String) async throws -> Page {
        try await send(.GET, path, body: nil)
    }

    /// Posts fields; `_csrf` is added from the last page seen unless given.
    @discardableResult
    mutating func post(_ path: String, _ fields: [(String, String)], withCSRF: Bool = true) async throws -> Page {
        var all = fields
        if withCSRF, !fields.contains(where: { $0.0 == "_csrf" }) { all.append(("_csrf", csrf ?? "")) }
        let body = all.map { "\(Self.encode($0.0))=\(Self.encode($0.1))" }.joined(separator: "&")
        return try await send(.POST, path, body: body)
    }

    private mutating func send(_ method: HTTPMethod, _ path: String, body: String?) async throws -> Page {
        var page = Page(status: .internalServerError, body: "", headers: [:])
        let cookie = self.cookie
        let bearer = path.hasPrefix("/api/") ? self.bearer : nil
        try await app.testing().test(method, path, beforeRequest: { request in
            if let cookie { request.headers.replaceOrAdd(name: .cookie, value: cookie) }
            if let bearer { request.headers.bearerAuthorization = .init(token: bearer) }
            if let body {
                request.headers.contentType = .urlEncodedForm
                request.body = ByteBuffer(string: body)
            }
        }, afterResponse: { response in
            page = Page(status: response.status, body: response.body.string, headers: response.headers)
        })
        if let setCookie = page.headers.first(name: .setCookie), setCookie.hasPrefix("labatlas_session=") {
            let value = String(setCookie.split(separator: ";")[0])
            self.cookie = value == "labatlas_session=" || setCookie.contains("Max-Age=0") || setCookie.contains("1970") ? nil : value
        }
        if let token = Self.csrfToken(in: page.body) { csrf = token }
        return page
    }

    mutating func signIn(_ email: String, _ password: String = TestWorld.password) async throws {
        try await get("/login")
        let page = try await post("/login", [("email", email), ("password", password), ("next", "/")])
        #expect(page.status == .seeOther, "sign-in of \(email) answered \(page.status)")
        try await get("/account")
    }

    static func csrfToken(in html: String) -> String? {
        guard let range = html.range(of: #"name="_csrf" value="([^"]+)""#, options: .regularExpression) else { return nil }
        let match = html[range]
        return match.split(separator: "\"").dropFirst(3).first.map(String.init)
    }

    static func encode(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? ""
    }
}

/// Two networks, three labs, and people at every level, for the access tests.
///
/// Network A holds labs A1 and A2; network B holds lab B1.
struct TestWorld {
    static let password = "un-mot-de-passe-solide"

    let app: Application
    var labA1: Lab
    var labA2: Lab
    var labB1: Lab
    var networkA: LabAtlasServer.Network
    var networkB: LabAtlasServer.Network

    /// email → what they are.
    static let admin = "admin@test.fr"
    static let editorA1 = "editeur.a1@test.fr"
    static let memberA1 = "membre.a1@test.fr"
    static let memberNetworkA = "reseau.a@test.fr"
    static let memberNetworkB = "reseau.b@test.fr"
    static let outsider = "personne@test.fr"

    static func make(_ app: Application) async throws -> TestWorld {
        let writer = ItemWriter(database: app.db)
        let networkA = try await writer.save(NetworkKind.self, NetworkDTO(name: "Réseau A"))
        let networkB = try await writer.save(NetworkKind.self, NetworkDTO(name: "Réseau B"))
        func lab(_ name: String, _ network: LabAtlasServer.Network) async throws -> Lab {
            var dto = LabDTO(name: name)
            dto.networks = [network.slug]
            dto.region = "Bretagne"
            dto.maturity = .active
            return try await writer.save(LabKind.self, dto)
        }
        let world = TestWorld(app: app, labA1: try await lab("Lab A1", networkA), labA2: try await lab("Lab A2", networkA),
                              labB1: try await lab("Lab B1", networkB), networkA: networkA, networkB: networkB)
        let accounts = AccountService(database: app.db, application: app)
        _ = try await accounts.createUser(email: admin, name: "Administratrice", password: password, isAdmin: true)
        let editor = try await accounts.createUser(email: editorA1, name: "Éditeur A1", password: password)
        try await accounts.addMembership(user: editor, scope: (.labs, try world.labA1.requiredID), role: TeamAccess.editor.rawValue)
        let member = try await accounts.createUser(email: memberA1, name: "Membre A1", password: password)
        try await accounts.addMembership(user: member, scope: (.labs, try world.labA1.requiredID), role: TeamAccess.member.rawValue)
        let networkMember = try await accounts.createUser(email: memberNetworkA, name: "Membre réseau A", password: password)
        try await accounts.addMembership(user: networkMember, scope: (.networks, try networkA.requiredID), role: NetworkRole.member.rawValue)
        let otherNetwork = try await accounts.createUser(email: memberNetworkB, name: "Membre réseau B", password: password)
        try await accounts.addMembership(user: otherNetwork, scope: (.networks, try networkB.requiredID), role: NetworkRole.member.rawValue)
        _ = try await accounts.createUser(email: outsider, name: "Personne", password: password)
        return world
    }

    func token(for email: String) async throws -> String {
        let found = try await User.query(on: app.db).filter(\.$email == email).first()
        let user = try #require(found)
        return try await AccountService(database: app.db, application: app).createToken(for: user, label: "tests").token
    }
}
