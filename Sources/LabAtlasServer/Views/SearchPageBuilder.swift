import Foundation
import LabAtlasCore

struct SearchPage: PageContext {
    var layout: Layout
    var heading: String
    var text: String
    var hasQuery: Bool
    var selectedType: String?
    var total: Int
    var totalLabel: String
    var types: [FacetOption]
    var allTypesHref: String
    var allTypesSelected: Bool
    var facets: [FacetView]
    var activeFilters: [ActiveFilter]
    var results: [SearchResultCard]
    var suggestion: LinkItem?
    var emptyMessage: String?
    var pages: [PageLink]
    var previousHref: String?
    var nextHref: String?
    var pageLabel: String
    var apiHref: String?
}

struct SearchResultCard: Encodable {
    var kicker: String
    var href: String
    var titleHTML: String
    var snippetHTML: String
}

/// Builds the search page: the type and facet links keep the query, results
/// show their matched words marked, and an empty result says why and what to try.
struct SearchPageBuilder {
    let outcome: SearchController.Outcome
    let repository: ItemRepository

    func build() async throws -> SearchPage {
        let parameters = outcome.parameters
        let results = outcome.results
        let highlighter = SearchHighlighter(query: results.query)
        let types = ItemType.navigationOrder.compactMap { type -> FacetOption? in
            let count = results.typeCounts[type] ?? 0
            guard count > 0 || type == parameters.type else { return nil }
            return FacetOption(label: type.label, count: French.number(count),
                               href: parameters.href(type: .some(type == parameters.type ? nil : type)),
                               selected: type == parameters.type)
        }
        var facets: [FacetView] = []
        var active: [ActiveFilter] = []
        if let type = parameters.type {
            for facet in FacetCatalog.facets(for: type) {
                let counts = ListPageBuilder.mostFrequent(results.facetCounts[facet.name] ?? [:], of: facet)
                let selected = parameters.filters[facet.name]
                let labels = try await repository.facetLabels(facet, values: Array(counts.keys) + [selected].compactMap { $0 })
                let options = ListPageBuilder.options(for: facet, counts: counts, labels: labels, selected: selected) { value in
                    var filters = parameters.filters
                    filters[facet.name] = value
                    return parameters.href(filters: filters)
                }
                if let selected {
                    var filters = parameters.filters
                    filters[facet.name] = nil
                    active.append(ActiveFilter(label: "\(facet.label) : \(labels[selected] ?? selected)", removeHref: parameters.href(filters: filters)))
                }
                if !options.isEmpty {
                    facets.append(FacetView(name: facet.name, label: facet.label, options: options, hasSelection: selected != nil))
                }
            }
        }
        let cards = results.hits.map { hit in
            SearchResultCard(kicker: hit.type.singularLabel, href: "/\(hit.type.rawValue)/\(hit.slug)",
                             titleHTML: highlighter.highlight(hit.title), snippetHTML: highlighter.snippet(hit.bodyText))
        }
        let pageCount = min(SearchParameters.maxPage, max(1, (results.total + parameters.limit - 1) / parameters.limit))
        let current = parameters.page
        let hasQuery = !parameters.text.isEmpty
        var emptyMessage: String?
        if hasQuery, results.total == 0 {
            if !parameters.query.isRunnable {
                emptyMessage = parameters.query.clauses.isEmpty
                    ? "Ces mots sont trop courants pour être cherchés (« le », « de », « pour »…). Ajoutez un mot plus précis."
                    : "Indiquez au moins un mot à chercher : un mot précédé de « - » sert seulement à exclure."
            } else {
                emptyMessage = "Aucun résultat pour « \(parameters.text) »" + (parameters.type.map { " parmi : \($0.label.lowercased())" } ?? "")
                    + ". Essayez moins de mots, un mot plus général ou un début de mot suivi de *."
            }
        }
        let heading = hasQuery ? "Résultats pour « \(parameters.text) »" : "Rechercher dans l'atlas"
        var layout = Layout(title: (current > 1 ? "\(heading) — page \(current)" : heading) + " — LabAtlas", section: "search")
        layout.searchText = parameters.text
        return SearchPage(
            layout: layout,
            heading: heading,
            text: parameters.text,
            hasQuery: hasQuery,
            selectedType: parameters.type?.rawValue,
            total: results.total,
            totalLabel: French.count(results.total, "résultat", "résultats"),
            types: types,
            allTypesHref: parameters.href(type: .some(nil)),
            allTypesSelected: parameters.type == nil,
            facets: facets,
            activeFilters: active,
            results: cards,
            suggestion: outcome.suggestion.map { LinkItem(label: $0.text, href: parameters.href(filters: [:], text: $0.text)) },
            emptyMessage: emptyMessage,
            pages: pageLinks(current: current, count: pageCount),
            previousHref: current > 1 ? parameters.href(page: current - 1) : nil,
            nextHref: current < pageCount ? parameters.href(page: current + 1) : nil,
            pageLabel: "Page \(current) sur \(pageCount)",
            apiHref: hasQuery ? parameters.href(base: "/api/v1/search") : nil)
    }

    private func pageLinks(current: Int, count: Int) -> [PageLink] {
        PageLink.numbered(current: current, count: count) { outcome.parameters.href(page: $0) }
    }
}
