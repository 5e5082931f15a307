import Foundation
import LabAtlasCore

/// Builds the list page context: facet links that add or remove a filter,
/// the active filters, the sort form and the pagination.
struct ListPageBuilder {
    let type: ItemType
    let parameters: ListParameters
    let repository: ItemRepository

    func build(cards: [Card], total: Int, counts: [String: [String: Int]]) async throws -> ListPage {
        let definitions = FacetCatalog.facets(for: type)
        var facets: [FacetView] = []
        var active: [ActiveFilter] = []
        for facet in definitions {
            let valueCounts = Self.mostFrequent(counts[facet.name] ?? [:], of: facet)
            let labels = try await labels(for: facet, values: Array(valueCounts.keys) + [parameters.filters[facet.name]].compactMap { $0 })
            let selected = parameters.filters[facet.name]
            let options = Self.options(for: facet, counts: valueCounts, labels: labels, selected: selected) {
                href(setting: facet.name, to: $0)
            }
            if let selected {
                active.append(ActiveFilter(label: "\(facet.label) : \(labels[selected] ?? selected)",
                                           removeHref: href(setting: facet.name, to: nil)))
            }
            if !options.isEmpty {
                facets.append(FacetView(name: facet.name, label: facet.label, options: options, hasSelection: selected != nil))
            }
        }

        let pageCount = max(1, (total + ListParameters.pageSize - 1) / ListParameters.pageSize)
        let current = parameters.page
        let heading = type.label
        return ListPage(
            layout: Layout(title: current > 1 ? "\(heading) — page \(current) — LabAtlas" : "\(heading) — LabAtlas", section: type.rawValue),
            heading: heading,
            intro: Self.intro(for: type),
            total: total,
            totalLabel: French.count(total, "résultat", "résultats"),
            cards: cards,
            facets: facets,
            activeFilters: active,
            clearHref: "/\(type.rawValue)",
            sortOptions: ListSort.options(for: type).map { SortOption(key: $0.key, label: $0.label, selected: $0 == parameters.sort) },
            hiddenFilters: parameters.filters.sorted { $0.key < $1.key }.map { HiddenField(name: $0.key, value: $0.value) },
            pages: pageLinks(current: current, count: pageCount),
            previousHref: current > 1 ? href(page: current - 1) : nil,
            nextHref: current < pageCount ? href(page: current + 1) : nil,
            pageLabel: "Page \(current) sur \(pageCount)",
            apiHref: "/api/v1/\(type.rawValue)" + query(filters: parameters.filters, sort: nil, page: nil))
    }

    private func labels(for facet: FacetDefinition, values: [String]) async throws -> [String: String] {
        try await repository.facetLabels(facet, values: values)
    }

    private func pageLinks(current: Int, count: Int) -> [PageLink] {
        PageLink.numbered(current: current, count: count) { href(page: $0) }
    }

    private func href(setting facet: String, to value: String?) -> String {
        var filters = parameters.filters
        filters[facet] = value
        return "/\(type.rawValue)" + query(filters: filters, sort: parameters.sort, page: nil)
    }

    private func href(page: Int) -> String {
        "/\(type.rawValue)" + query(filters: parameters.filters, sort: parameters.sort, page: page > 1 ? page : nil)
    }

    private func query(filters: [String: String], sort: ListSort?, page: Int?) -> String {
        var items = filters.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        if let sort, sort != ListSort.defaultSort(for: type) { items.append(("sort", sort.key)) }
        if let page { items.append(("page", String(page))) }
        guard !items.isEmpty else { return "" }
        return "?" + items.map { name, value in
            "\(name)=\(value.addingPercentEncoding(withAllowedCharacters: .urlQueryValueAllowed) ?? value)"
        }.joined(separator: "&")
    }

    /// A list of facet values as links, in the facet's order, counts shown.
    static func options(for facet: FacetDefinition, counts valueCounts: [String: Int], labels: [String: String],
                        selected: String?, href: (String?) -> String) -> [FacetOption] {
        // A reference the reader may not see has no label: it is not shown at all.
        var values = valueCounts.filter { labels[$0.key] != nil && $0.value > 0 }.map(\.key)
        if let order = facet.fixedOrder {
            values.sort { (order.firstIndex(of: $0) ?? .max) < (order.firstIndex(of: $1) ?? .max) }
        } else if facet.values == .year {
            values.sort(by: >)
        } else {
            // Folded once a value, not once a comparison.
            let keys = Dictionary(uniqueKeysWithValues: values.map { ($0, TextFolding.fold(labels[$0] ?? "")) })
            values.sort { (valueCounts[$0] ?? 0, keys[$1] ?? "") > (valueCounts[$1] ?? 0, keys[$0] ?? "") }
        }
        if let selected, !values.contains(selected), labels[selected] != nil { values.insert(selected, at: 0) }
        return values.map { value in
            FacetOption(label: labels[value] ?? value, count: French.number(valueCounts[value] ?? 0),
                        href: href(value == selected ? nil : value), selected: value == selected)
        }
    }

    /// A facet with an open list of values (labs, themes, regions…) shows its
    /// most frequent ones: an atlas of thousands of labs would otherwise list
    /// every lab on every page.
    static let shownValues = 30

    static func mostFrequent(_ counts: [String: Int], of facet: FacetDefinition) -> [String: Int] {
        guard facet.fixedOrder == nil, facet.values != .year, counts.count > shownValues else { return counts }
        let kept = counts.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.prefix(shownValues)
        return Dictionary(uniqueKeysWithValues: kept.map { ($0.key, $0.value) })
    }

    static func intro(for type: ItemType) -> String {
        switch type {
        case .labs: "Les labs d'innovation publique du réseau : ministères, services de l'État en région, académies, collectivités."
        case .projects: "Les projets accompagnés par les labs, de l'exploration au déploiement, avec leurs comités et leur historique."
        case .experiences: "Les fiches de retour d'expérience : ce qui a marché, ce qui a coincé, et les conseils pour refaire."
        case .sessions: "Les sessions de travail collaboratif animées par les labs : nature, niveau d'accompagnement, format, méthodes."
        case .events: "L'agenda des labs : séminaires, ateliers, webinaires et rencontres, passés et à venir."
        case .methods: "Les fiches méthodes et outils d'animation et de design utilisés par les labs."
        case .networks: "Les réseaux qui relient les labs : labs académiques, labs de l'État en région, labs territoriaux."
        }
    }
}
