import Vapor

/// Several async middlewares run as one.
///
/// Vapor starts a new task for every `AsyncMiddleware` in the application's
/// chain and comes back to the event loop between each: with six of them, a
/// request hopped between threads a dozen times before reaching its handler,
/// about a third of what a kept page costs. Chained here, they call each
/// other directly, in the same order, within one task.
struct AsyncMiddlewareChain: AsyncMiddleware {
    let middlewares: [any AsyncMiddleware]

    init(_ middlewares: [any AsyncMiddleware]) {
        self.middlewares = middlewares
    }

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        try await respond(to: request, from: middlewares.startIndex, then: next)
    }

    private func respond(to request: Request, from index: Int, then next: any AsyncResponder) async throws -> Response {
        guard index < middlewares.endIndex else { return try await next.respond(to: request) }
        return try await middlewares[index].respond(to: request, chainingTo: AsyncBasicResponder { request in
            try await respond(to: request, from: index + 1, then: next)
        })
    }
}
