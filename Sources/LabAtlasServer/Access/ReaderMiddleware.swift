import Fluent
import Foundation
import Vapor

/// Works out who is asking: a bearer token under /api, the session cookie
/// elsewhere; then loads their memberships into `req.reader`.
struct ReaderMiddleware: AsyncMiddleware {
    static let sessionUserKey = "uid"

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        if let account = try await account(for: request) {
            request.reader = try await Reader.load(account: account, on: request.db)
        }
        return try await next.respond(to: request)
    }

    private func account(for request: Request) async throws -> Reader.Account? {
        if let bearer = request.headers.bearerAuthorization {
            guard request.url.path.hasPrefix("/api/") else { return nil }
            // The user joined rather than loaded after: one query fewer for every API call.
            guard let token = try await APIToken.query(on: request.db).join(User.self, on: \APIToken.$user.$id == \User.$id)
                .filter(\.$tokenHash == Secrets.hash(bearer.token)).filter(\.$revokedAt == nil).first() else {
                throw Abort(.unauthorized, reason: "Jeton d'API inconnu ou révoqué.")
            }
            let user = try token.joined(User.self)
            if (token.lastUsedAt ?? .distantPast) < Date().addingTimeInterval(-60), let id = token.id {
                // Bookkeeping, written after the answer with the other saves: written here, on a
                // reading connection, it waited inside SQLite for a save under way and held that
                // connection meanwhile. A use of the token that finds it busy is not recorded.
                let now = Date()
                let database = request.db
                request.application.backgroundWrites.start {
                    try await database.writeTransaction { transaction in
                        try await APIToken.query(on: transaction).filter(\.$id == id).set(\.$lastUsedAt, to: now).update()
                    }
                }
            }
            return user.account
        }
        // The API answers bearer tokens only: a cookie never authorises an API call, so no CSRF there.
        guard !request.url.path.hasPrefix("/api/"), request.hasSession,
              let text = request.session.data[Self.sessionUserKey], let id = UUID(uuidString: text),
              let user = try await User.find(id, on: request.db) else { return nil }
        return user.account
    }
}

extension User {
    var account: Reader.Account? {
        id.map { Reader.Account(id: $0, name: name, email: email, isAdmin: isAdmin) }
    }
}

extension Request {
    /// True when the request carried a session cookie; reading `session` would otherwise create one.
    var hasSession: Bool {
        cookies[application.sessions.configuration.cookieName] != nil
    }
}
