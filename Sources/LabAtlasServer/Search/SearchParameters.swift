import Vapor
import LabAtlasCore

/// `q`, `type`, the facet filters of that type and the page, read from a URL
/// and checked before any query. The text of `q` is never refused: whatever
/// it holds is parsed into literal words.
struct SearchParameters {
    var text: String
    var query: SearchQuery
    var type: ItemType?
    var filters: [String: String] = [:]
    var page = 1
    var limit = 20

    static let maxPage = 500

    init(request: Request, isAPI: Bool) throws {
        let raw = ListParameters.rawQuery(request)
        text = SearchQuery.sanitized(raw["q"] ?? "").trimmingCharacters(in: .whitespaces)
        query = SearchQuery.parse(text)
        if let name = raw["type"], !name.isEmpty {
            guard let type = ItemType(rawValue: name) else {
                throw BadParameter("type", "type inconnu « \(name) » ; attendu : \(ItemType.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            self.type = type
        }
        let facetNames = Set(ItemType.allCases.flatMap { FacetCatalog.facets(for: $0).map(\.name) })
        for (name, value) in raw where facetNames.contains(name) && !value.isEmpty {
            guard let type, let facet = FacetCatalog.facets(for: type).first(where: { $0.name == name }) else {
                throw BadParameter(name, "ce filtre demande de choisir d'abord un type (paramètre « type »)")
            }
            if let problem = facet.problem(with: value) { throw BadParameter(name, problem) }
            filters[name] = value
        }
        if let text = raw["page"], !text.isEmpty {
            guard let page = Int(text), (1...Self.maxPage).contains(page) else {
                throw BadParameter("page", "« \(text) » : attendu un entier entre 1 et \(Self.maxPage)")
            }
            self.page = page
        }
        if isAPI, let text = raw["limit"], !text.isEmpty {
            guard let limit = Int(text), (1...ListParameters.maxLimit).contains(limit) else {
                throw BadParameter("limit", "« \(text) » : attendu un entier entre 1 et \(ListParameters.maxLimit)")
            }
            self.limit = limit
        }
    }

    var searchRequest: SearchRequest {
        SearchRequest(query: query, type: type, filters: filters, offset: (page - 1) * limit, limit: limit)
    }

    /// The URL of this search with some parameters changed (nil removes one).
    func href(type: ItemType?? = .none, filters newFilters: [String: String]? = nil, page newPage: Int? = nil, text newText: String? = nil,
              base: String = "/search") -> String {
        var items: [(String, String)] = [("q", newText ?? text)]
        let chosenType: ItemType? = type ?? self.type
        if let chosenType { items.append(("type", chosenType.rawValue)) }
        if chosenType == self.type {
            for (name, value) in (newFilters ?? filters).sorted(by: { $0.key < $1.key }) { items.append((name, value)) }
        }
        if let newPage, newPage > 1 { items.append(("page", String(newPage))) }
        return base + "?" + items.map { name, value in
            "\(name)=\(value.addingPercentEncoding(withAllowedCharacters: .urlQueryValueAllowed) ?? value)"
        }.joined(separator: "&")
    }
}
