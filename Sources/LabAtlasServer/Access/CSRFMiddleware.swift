import Foundation
import Vapor

/// Every state-changing browser request must carry the session's CSRF token
/// (`_csrf` form field). The API is exempt: it authenticates with bearer
/// tokens, which a foreign page cannot send.
struct CSRFMiddleware: AsyncMiddleware {
    static let sessionKey = "csrf"
    static let fieldName = "_csrf"
    static let maxBodySize = 1 << 20

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        if request.method != .GET, request.method != .HEAD, !request.url.path.hasPrefix("/api/") {
            // Collecting here keeps the body for the handler; the form is parsed as browsers send it.
            let body = try await request.body.collect(max: Self.maxBodySize).get()
            let sent = body.flatMap { $0.getString(at: $0.readerIndex, length: $0.readableBytes) }
                .map { FormData(urlEncoded: $0).raw(Self.fieldName) } ?? ""
            let expected = request.hasSession ? request.session.data[Self.sessionKey] ?? "" : ""
            guard !expected.isEmpty, Secrets.constantTimeEquals(sent, expected) else {
                throw Abort(.forbidden, reason: "Le formulaire a expiré ou ne vient pas de LabAtlas. Rechargez la page et recommencez : ce que vous aviez saisi n'a pas été enregistré.")
            }
        }
        return try await next.respond(to: request)
    }
}

extension Request {
    /// The session's CSRF token, created on first use (which starts a session).
    var csrfToken: String {
        if let token = session.data[CSRFMiddleware.sessionKey] { return token }
        let token = Secrets.newToken()
        session.data[CSRFMiddleware.sessionKey] = token
        return token
    }
}
