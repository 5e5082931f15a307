import Vapor
import LabAtlasCore

/// Turns every error into a French page (or JSON under /api), with the status
/// it deserves. Nothing internal (stack, SQL) ever reaches the client: errors
/// that are not the client's are logged with the request id and answered 500.
struct PageErrorMiddleware: AsyncMiddleware {
    let environment: Environment

    struct APIError: Content {
        var error: String
        var parameter: String?
        var status: Int
        var errors: [FieldError]?
    }

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        do {
            return try await next.respond(to: request)
        } catch is SignInRequired where request.method == .GET && !request.url.path.hasPrefix("/api/") {
            let next = request.url.path + (request.url.query.map { "?" + $0 } ?? "")
            let encoded = next.addingPercentEncoding(withAllowedCharacters: .urlQueryValueAllowed) ?? "/"
            return request.redirect(to: "/login?next=\(encoded)")
        } catch {
            let (status, message, parameter) = describe(error, request: request)
            if status == .internalServerError {
                request.logger.error("request failed: \(String(reflecting: error))")
            }
            let response: Response
            if request.url.path.hasPrefix("/api/") {
                response = try await APIError(error: message, parameter: parameter, status: Int(status.code),
                                              errors: (error as? APIValidation)?.errors)
                    .encodeResponse(status: status, for: request)
            } else {
                let page = ErrorPage(layout: Layout(title: "\(status.code) — \(Self.heading(for: status)) — LabAtlas", section: "error"),
                                     status: Int(status.code), heading: Self.heading(for: status), message: message)
                do {
                    response = try await request.renderPage("error", page, status: status)
                } catch {
                    request.logger.error("error page failed: \(String(reflecting: error))")
                    response = Response(status: status, headers: ["Content-Type": "text/plain; charset=utf-8"], body: .init(string: message))
                }
            }
            // What an error says beyond its message (`Retry-After`, `Allow`) goes with it.
            if let abort = error as? any AbortError, status != .internalServerError {
                for (name, value) in abort.headers where response.headers[name].isEmpty {
                    response.headers.add(name: name, value: value)
                }
            }
            return response
        }
    }

    private func describe(_ error: any Error, request: Request) -> (HTTPResponseStatus, String, String?) {
        switch error {
        case let bad as BadParameter:
            return (.badRequest, bad.reason, bad.name)
        case is SignInRequired:
            return (.unauthorized, request.url.path.hasPrefix("/api/")
                ? "Authentification requise : envoyez « Authorization: Bearer <jeton> »." : "Connectez-vous pour continuer.", nil)
        case let abort as any AbortError:
            let reason = abort.status == .notFound && abort.reason == abort.status.reasonPhrase
                ? "Cette page n'existe pas, ou plus." : abort.reason
            return (abort.status, abort.status == .internalServerError ? Self.internalMessage : reason, nil)
        default:
            return (.internalServerError, Self.internalMessage, nil)
        }
    }

    static let internalMessage = "Une erreur inattendue est survenue de notre côté. Elle a été enregistrée ; réessayez dans un instant."

    static func heading(for status: HTTPResponseStatus) -> String {
        switch status.code {
        case 400: "Requête invalide"
        case 401: "Connexion requise"
        case 403: "Accès refusé"
        case 404: "Page introuvable"
        case 405: "Méthode non permise"
        case 503: "Service momentanément indisponible"
        case 500...: "Erreur du serveur"
        default: status.reasonPhrase
        }
    }
}
