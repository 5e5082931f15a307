import Fluent
import Vapor
import LabAtlasCore

/// `/search` and `/api/v1/search`: one search, two renderings.
struct SearchController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("search", use: page)
        routes.grouped("api", "v1").get("search", use: api)
    }

    /// What a search found, with the suggestion when it found nothing.
    struct Outcome {
        var parameters: SearchParameters
        var results: SearchResults
        var suggestion: SpellingSuggester.Suggestion?
    }

    static func run(_ req: Request, parameters: SearchParameters) async throws -> Outcome {
        let service = SearchService(database: req.db, reader: req.reader,
                                    besides: req.application.database(besides: req.eventLoop, logger: req.logger))
        let results = try await service.search(parameters.searchRequest)
        var suggestion: SpellingSuggester.Suggestion?
        if results.total == 0, parameters.query.isRunnable {
            suggestion = try await SpellingSuggester(service: service).suggest(for: parameters.query, type: parameters.type)
        }
        return Outcome(parameters: parameters, results: results, suggestion: suggestion)
    }

    /// Runs the search, or serves a visitor the answer kept for it while it holds.
    static func answer(_ req: Request, isAPI: Bool, _ render: @escaping (Outcome) async throws -> Response) async throws -> Response {
        let parameters = try SearchParameters(request: req, isAPI: isAPI)
        // Upcoming and past events follow the date.
        return try await req.visitorSearch(parameters.query, followsTheDate: parameters.filters["when"] != nil) {
            let outcome = try await run(req, parameters: parameters)
            return (try await render(outcome), outcome.results.total > 0)
        }
    }

    @Sendable func page(req: Request) async throws -> Response {
        try await Self.answer(req, isAPI: false) { outcome in
            let page = try await SearchPageBuilder(outcome: outcome, repository: ItemRepository(database: req.db, reader: req.reader)).build()
            return try await req.renderPage("search", page)
        }
    }

    @Sendable func api(req: Request) async throws -> Response {
        let raw = ListParameters.rawQuery(req)
        guard let text = raw["q"], !text.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw BadParameter("q", "le texte à chercher est obligatoire")
        }
        return try await Self.answer(req, isAPI: true) { outcome in Self.json(outcome) }
    }

    private static func json(_ outcome: Outcome) -> Response {
        let highlighter = SearchHighlighter(query: outcome.results.query)
        var facets: [String: [String: Int]] = ["type": Dictionary(uniqueKeysWithValues: outcome.results.typeCounts.map { ($0.key.rawValue, $0.value) })]
        for (name, counts) in outcome.results.facetCounts { facets[name] = counts.filter { $0.value > 0 } }
        let parameters = outcome.parameters
        let hasMore = parameters.page * parameters.limit < outcome.results.total && parameters.page < SearchParameters.maxPage
        let body = SearchResponseDTO(
            total: outcome.results.total,
            results: outcome.results.hits.map { hit in
                SearchResultDTO(type: hit.type.rawValue, slug: hit.slug, title: hit.title,
                                snippet: highlighter.snippet(hit.bodyText), url: "/\(hit.type.rawValue)/\(hit.slug)")
            },
            facets: facets,
            page: parameters.page,
            nextPage: hasMore ? parameters.page + 1 : nil,
            suggestion: outcome.suggestion?.text)
        var headers = HTTPHeaders()
        headers.contentType = .json
        return Response(status: .ok, headers: headers, body: .init(string: body.jsonText))
    }
}

/// The JSON of `/api/v1/search` (CONTRACT.md): snippets are HTML-escaped text
/// whose only markup is `<mark>` around matched words. Written directly
/// (`JSONText`), keys sorted, absent values as `null`.
struct SearchResponseDTO {
    var total: Int
    var results: [SearchResultDTO]
    var facets: [String: [String: Int]]
    var page: Int
    var nextPage: Int?
    var suggestion: String?

    var jsonText: String {
        JSONText.object([
            "total": String(total),
            "results": JSONText.array(results.map(\.jsonText)),
            "facets": JSONText.object(facets.mapValues(JSONText.counts)),
            "page": String(page),
            "next_page": nextPage.map(String.init) ?? "null",
            "suggestion": suggestion.map(JSONText.quoted) ?? "null",
        ])
    }
}

struct SearchResultDTO {
    var type: String
    var slug: String
    var title: String
    var snippet: String
    var url: String

    var jsonText: String {
        JSONText.object(["type": JSONText.quoted(type), "slug": JSONText.quoted(slug), "title": JSONText.quoted(title),
                         "snippet": JSONText.quoted(snippet), "url": JSONText.quoted(url)])
    }
}
