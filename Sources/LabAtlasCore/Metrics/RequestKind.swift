/// What a request is, for timing by kind: the load benchmark's categories.
public enum RequestKind: String, Sendable, CaseIterable, Comparable {
    case home, lists, details, search, apiLists = "api_lists", apiDetails = "api_details",
         apiSearch = "api_search", feeds, files, writes

    /// The kind of a request by its method and path (without its query).
    public init(method: String, path: String) {
        let segments = path.split(separator: "/")
        if method != "GET" && method != "HEAD" {
            self = .writes
        } else if segments.isEmpty {
            self = .home
        } else if let last = segments.last, last.hasSuffix(".ics") || last.hasSuffix(".atom") {
            self = .feeds
        } else if segments.last?.contains(".") == true {
            self = .files
        } else if segments[0] == "api" {
            self = segments.count > 2 && segments[2] == "search" ? .apiSearch : segments.count > 3 ? .apiDetails : .apiLists
        } else if segments[0] == "search" {
            self = .search
        } else {
            self = segments.count > 1 ? .details : .lists
        }
    }

    public static func < (lhs: RequestKind, rhs: RequestKind) -> Bool { lhs.rawValue < rhs.rawValue }
}
