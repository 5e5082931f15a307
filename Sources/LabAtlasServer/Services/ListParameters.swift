import Vapor
import LabAtlasCore

/// A query parameter a client got wrong: answered with 400 and its name.
struct BadParameter: AbortError {
    let name: String
    let reason: String
    var status: HTTPResponseStatus { .badRequest }
    init(_ name: String, _ reason: String) {
        self.name = name
        self.reason = "Paramètre « \(name) » invalide : \(reason)"
    }
}

/// The list filters, order and page read from a URL, checked before any query.
struct ListParameters {
    var filters: [String: String] = [:]
    var sort: ListSort
    var page: Int = 1

    static let pageSize = 20
    static let maxLimit = 100

    init(type: ItemType, request: Request, allowsPage: Bool = true) throws {
        let query = ListParameters.rawQuery(request)
        sort = ListSort.defaultSort(for: type)
        for facet in FacetCatalog.facets(for: type) {
            guard let value = query[facet.name], !value.isEmpty else { continue }
            if let problem = facet.problem(with: value) { throw BadParameter(facet.name, problem) }
            filters[facet.name] = value
        }
        if let key = query["sort"], !key.isEmpty {
            guard let sort = ListSort.options(for: type).first(where: { $0.key == key }) else {
                throw BadParameter("sort", "valeur inconnue « \(key) » ; attendu : \(ListSort.options(for: type).map(\.key).joined(separator: ", "))")
            }
            self.sort = sort
        }
        if allowsPage, let text = query["page"] {
            guard let page = Int(text), page >= 1, page <= 100_000 else {
                throw BadParameter("page", "« \(text) » n'est pas un numéro de page (entier à partir de 1)")
            }
            self.page = page
        }
    }

    /// The decoded query string, first value of each name. Never throws: a malformed
    /// query simply yields fewer parameters.
    static func rawQuery(_ request: Request) -> [String: String] {
        guard let query = request.url.query else { return [:] }
        var values: [String: String] = [:]
        for pair in query.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let rawName = parts.first else { continue }
            let decode = { (text: Substring) in
                String(text).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String(text)
            }
            let name = decode(rawName)
            if values[name] == nil { values[name] = parts.count > 1 ? decode(parts[1]) : "" }
        }
        return values
    }

    func query(for type: ItemType, reader: Reader) -> ListQuery {
        var query = ListQuery(type: type, reader: reader)
        query.filters = filters
        query.sort = sort
        return query
    }
}

/// `limit` and `cursor` of the API lists.
struct APIListParameters {
    var limit = 20
    var afterSlug: String?

    init(request: Request) throws {
        let query = ListParameters.rawQuery(request)
        if let text = query["limit"] {
            guard let limit = Int(text), (1...ListParameters.maxLimit).contains(limit) else {
                throw BadParameter("limit", "« \(text) » : attendu un entier entre 1 et \(ListParameters.maxLimit)")
            }
            self.limit = limit
        }
        if let cursor = query["cursor"], !cursor.isEmpty {
            guard let slug = Cursor.decode(cursor) else { throw BadParameter("cursor", "curseur inconnu ou altéré") }
            afterSlug = slug
        }
    }
}

/// An opaque cursor: the last slug served, base64url-encoded.
enum Cursor {
    static func encode(slug: String) -> String {
        Data(("s:" + slug).utf8).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    static func decode(_ cursor: String) -> String? {
        var base64 = cursor.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        guard cursor.count <= 400, let data = Data(base64Encoded: base64),
              let text = String(data: data, encoding: .utf8), text.hasPrefix("s:") else { return nil }
        let slug = String(text.dropFirst(2))
        return TextFolding.isValidSlug(slug) ? slug : nil
    }
}
