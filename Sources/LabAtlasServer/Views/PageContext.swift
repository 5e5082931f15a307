import Vapor

/// Every page model carries the layout; rendering fills in who is signed in.
protocol PageContext: Encodable {
    var layout: Layout { get set }
}

/// The signed-in person, as the header shows them.
struct Viewer: Encodable {
    var name: String
    var isAdmin: Bool
    /// For the sign-out form in the header.
    var csrf: String
}

extension Request {
    func renderPage<Page: PageContext>(_ template: String, _ page: Page, status: HTTPStatus = .ok) async throws -> Response {
        var page = page
        if let account = reader.account {
            page.layout.viewer = Viewer(name: account.name, isAdmin: account.isAdmin, csrf: csrfToken)
        }
        page.layout.currentPath = url.path
        let response = try await view.render(template, page).encodeResponse(for: self)
        response.status = status
        // Pages may show members-only content: never keep them in a shared cache.
        response.headers.replaceOrAdd(name: .cacheControl, value: reader.isSignedIn ? "private, no-store" : "no-cache")
        return response
    }
}
