import SQLKit
import Foundation
import LabAtlasCore

/// The orders a list page offers, per type (`?sort=`).
struct ListSort: Sendable, Hashable {
    let key: String
    let label: String

    static func options(for type: ItemType) -> [ListSort] {
        switch type {
        case .labs, .methods, .networks:
            [ListSort(key: "name", label: "Nom"), ListSort(key: "recent", label: "Dernières mises à jour")]
        case .projects:
            [ListSort(key: "title", label: "Titre"), ListSort(key: "recent", label: "Dernières mises à jour"),
             ListSort(key: "stage_change", label: "Dernier changement de phase")]
        case .experiences:
            [ListSort(key: "recent", label: "Dernières mises à jour"), ListSort(key: "title", label: "Titre"),
             ListSort(key: "year", label: "Année, la plus récente d'abord")]
        case .sessions:
            [ListSort(key: "date", label: "Date, la plus récente d'abord"), ListSort(key: "title", label: "Titre")]
        case .events:
            [ListSort(key: "upcoming", label: "À venir d'abord"), ListSort(key: "date", label: "Date, la plus récente d'abord"),
             ListSort(key: "title", label: "Titre")]
        }
    }

    static func defaultSort(for type: ItemType) -> ListSort { options(for: type)[0] }

    /// ORDER BY clauses; the slug always breaks ties so pages never overlap.
    func apply(to query: SQLSelectBuilder, now: Date) -> SQLSelectBuilder {
        var query = query
        switch key {
        case "recent": query = query.orderBy("updated_at", .descending)
        case "stage_change": query = query.orderBy("stage_since", .descending)
        case "year": query = query.orderBy(SQLOrderBy(expression: SQLRaw("COALESCE(year, 0)"), direction: SQLDirection.descending))
        case "date":
            query = query.orderBy(Self.dateColumn(for: query), .descending)
        case "upcoming":
            // Upcoming events soonest first, then past events most recent first.
            query = query
                .orderBy(SQLOrderBy(expression: SQLQueryString("CASE WHEN ends_at >= \(bind: now) THEN 0 ELSE 1 END"), direction: SQLDirection.ascending))
                .orderBy(SQLOrderBy(expression: SQLQueryString("CASE WHEN ends_at >= \(bind: now) THEN starts_at END"), direction: SQLDirection.ascending))
                .orderBy("starts_at", .descending)
        default: break
        }
        return query.orderBy("sort_key", .ascending).orderBy("slug", .ascending)
    }

    private static func dateColumn(for query: SQLSelectBuilder) -> String {
        query.select.tables.contains { ($0 as? SQLIdentifier)?.string == Event.schema } ? "starts_at" : "date"
    }
}
