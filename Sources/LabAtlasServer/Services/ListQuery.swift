import Fluent
import Foundation
import SQLKit
import LabAtlasCore

/// A list of items of one type as a reader asked for it: facet filters,
/// order, page. Counts and facet counts only ever include visible items.
struct ListQuery: Sendable {
    let type: ItemType
    var filters: [String: String] = [:]
    var sort: ListSort
    var reader: Reader
    var now: Date = Date()

    init(type: ItemType, reader: Reader) {
        self.type = type
        self.sort = ListSort.defaultSort(for: type)
        self.reader = reader
    }

    /// The visibility rule and every filter except `excluded` (for disjunctive facet counts).
    /// `perItem` checks each item's facets on its own (a walk of an order's index)
    /// instead of gathering the items that hold a value.
    private func predicates(excluding excluded: String? = nil, perItem: Bool = false) -> [any SQLExpression] {
        var predicates: [any SQLExpression] = [reader.visibilityPredicate(for: type)]
        for (facet, value) in filters.sorted(by: { $0.key < $1.key }) where facet != excluded {
            if facet == "when" {
                predicates.append(SQLBinaryExpression(left: SQLColumn("ends_at"),
                    op: value == "upcoming" ? SQLBinaryOperator.greaterThanOrEqual : SQLBinaryOperator.lessThan, right: SQLBind(now)))
                continue
            }
            if facet == "year", let year = type.yearPredicate(value) {
                predicates.append(year)
                continue
            }
            if perItem {
                predicates.append(SQLQueryString("""
                    EXISTS (SELECT 1 FROM item_facets f WHERE f.item_id = \(ident: type.table).id AND f.facet = \(bind: facet) AND f.value = \(bind: value))
                    """))
                continue
            }
            predicates.append(SQLBinaryExpression(left: SQLColumn("id"), op: SQLBinaryOperator.in, right: SQLSubquery.select { sub in
                sub.column("item_id").from(ItemFacet.schema)
                    .where("item_type", .equal, SQLBind(type.rawValue))
                    .where("facet", .equal, SQLBind(facet))
                    .where("value", .equal, SQLBind(value))
            }))
        }
        return predicates
    }

    private func restrict(_ builder: SQLSelectBuilder, excluding excluded: String? = nil, perItem: Bool = false) -> SQLSelectBuilder {
        predicates(excluding: excluded, perItem: perItem).reduce(builder) { $0.where($1) }
    }

    /// Whether a filtered page is read by walking the order and checking each
    /// item's filters, rather than by gathering every item that holds the
    /// filtered values and sorting them: when the values are common, a few
    /// steps of the walk find a page, where gathering reads thousands of rows
    /// (72 ms for `/sessions?format=hybrid` at 100,000 items, 1 ms walking).
    /// Decided from the kept counts, which are exact; left to the database when
    /// they do not hold the filters, and on PostgreSQL, whose planner keeps
    /// statistics of the values.
    /// `sizes`: the kept counts of the list and of the whole type, when read already (`keptSizes`).
    private func walksOrder(reach: Int, sizes known: (matches: Int, all: Int)? = nil, on database: any Database) async throws -> Bool {
        guard !database.isPostgres, filters.keys.contains(where: { $0 != "when" && $0 != "year" }) else { return false }
        if filters["year"] != nil {
            // A year's items sit together somewhere along the order, not spread
            // over it: gathered, unless the order starts with the year's column.
            // The walk then starts where the year does and at worst goes through
            // the year, which costs what gathering costs (15 against 28 ms for
            // a year of 6,500 sessions holding no match).
            return readsYearColumn && sort.key == type.yearOrder
        }
        let sizes = if let known { known } else { try await keptSizes(on: database) }
        guard let (matches, all) = sizes else { return false }
        // Steps of the walk (reach × all / matches, with room for values that
        // bunch up along the order) against rows gathered and sorted (matches).
        return reach * all * 10 <= matches * matches
    }

    /// Whether the year filter reads a column (`ItemType.yearPredicate`), whose
    /// index then gathers the year's items: the other filters are checked item
    /// by item rather than each gathered whole (8 against 17 ms for
    /// `/experiences?cooperation=internal&year=2016` at 100,000 items).
    private var readsYearColumn: Bool {
        filters["year"].map { type.yearPredicate($0) != nil } ?? false
    }

    func count(on database: any Database) async throws -> Int {
        if let kept = try await keptCount(on: database) { return kept }
        let row = try await restrict(try database.sql.select()
            .column(SQLFunction("COUNT", args: SQLLiteral.all), as: "n").from(type.table)).first()
        return try row?.decode(column: "n", as: Int.self) ?? 0
    }

    /// The counts of several lists, in order: those `item_counts` holds in one statement.
    static func counts(_ queries: [ListQuery], on database: any Database) async throws -> [Int] {
        let held = queries.indices.filter { queries[$0].keptVisibilities != nil }
        let visibilities = held.map { queries[$0].keptVisibilities ?? [] }
        var counts = Array(repeating: 0, count: queries.count)
        if let first = visibilities.first, visibilities.allSatisfy({ $0 == first }) {
            let kept = try await ItemCounts(database: try database.sql)
                .counts(held.map { (queries[$0].type, queries[$0].filters) }, visibilities: first)
            for (index, count) in zip(held, kept) { counts[index] = count }
            for index in queries.indices where !held.contains(index) { counts[index] = try await queries[index].count(on: database) }
        } else {
            for index in queries.indices { counts[index] = try await queries[index].count(on: database) }
        }
        return counts
    }

    /// The visibilities whose counts `item_counts` holds for this list, when it holds them.
    private var keptVisibilities: [Visibility]? {
        guard let visibilities = ItemCounts.visibilities(of: reader), ItemCounts.holds(filters) else { return nil }
        return visibilities
    }

    /// The count `item_counts` holds for this list, when it holds it: a reader
    /// who sees whole visibilities, and at most two facet filters.
    private func keptCount(on database: any Database) async throws -> Int? {
        guard let visibilities = keptVisibilities else { return nil }
        return try await ItemCounts(database: try database.sql).count(type, filters: filters, visibilities: visibilities)
    }

    /// The kept counts of this list and of every item of its type, in one
    /// statement, when `item_counts` holds the list's (`keptCount`).
    private func keptSizes(on database: any Database) async throws -> (matches: Int, all: Int)? {
        guard let visibilities = keptVisibilities else { return nil }
        let counts = try await ItemCounts(database: try database.sql)
            .counts([(type, filters, visibilities), (type, [:], Visibility.allCases)])
        return (counts[0], counts[1])
    }

    /// How many items the list holds and the ids of one page, in order: the
    /// count read once, for the page and for the way it is read (`walksOrder`).
    func page(offset: Int, limit: Int, on database: any Database) async throws -> (total: Int, ids: [UUID]) {
        let sizes = try await keptSizes(on: database)
        let total = if let sizes { sizes.matches } else { try await count(on: database) }
        let walk = try await walksOrder(reach: offset + limit, sizes: sizes, on: database)
        return (total, try await ids(offset: offset, limit: limit, walk: walk, on: database))
    }

    /// The ids of one page, in order. `walk` forces the way the page is read
    /// (the same items either way); nil decides it from the counts.
    func ids(offset: Int, limit: Int, walk forced: Bool? = nil, on database: any Database) async throws -> [UUID] {
        let walk: Bool
        if let forced { walk = forced } else { walk = try await walksOrder(reach: offset + limit, on: database) }
        // SQLite left to itself gathers by the filters whenever there are any.
        let table: any SQLExpression = walk && sort.key != "upcoming"
            ? SQLQueryString("\(ident: type.table) INDEXED BY \(ident: AddListOrderIndexes.name(type: type, sort: sort))")
            : SQLIdentifier(type.table)
        let query = restrict(try database.sql.select().column("id").from(table), perItem: walk || readsYearColumn)
        return try await sort.apply(to: query, now: now).limit(limit).offset(offset).all()
            .map { try $0.decode(column: "id", as: UUID.self) }
    }

    /// Keyset pagination for the API: items in slug order after `afterSlug`.
    func ids(afterSlug: String?, limit: Int, on database: any Database) async throws -> [(id: UUID, slug: String)] {
        let walk = try await walksOrder(reach: limit, on: database)
        var query = restrict(try database.sql.select().column("id").column("slug").from(type.table), perItem: walk || readsYearColumn)
        if let afterSlug { query = query.where("slug", .greaterThan, SQLBind(afterSlug)) }
        return try await query.orderBy("slug", .ascending).limit(limit).all()
            .map { (try $0.decode(column: "id", as: UUID.self), try $0.decode(column: "slug", as: String.self)) }
    }

    /// For each facet of the type, its values and how many visible items match the
    /// other filters and that value.
    ///
    /// Read from the search index's facet codes (`SearchFacetCodes`), which hold
    /// every live item: for a visitor, the codes of the type's public range,
    /// a read of one short row per item instead of a scan of `item_facets` per
    /// facet. Facets counted under the same filters share one read.
    func facetCounts(on database: any Database) async throws -> [String: [String: Int]] {
        var result: [String: [String: Int]] = [:]
        var passes: [[String: String]: [String]] = [:]
        for facet in FacetCatalog.facets(for: type) {
            result[facet.name] = [:]
            if facet.name == "when" {
                var counts: [String: Int] = [:]
                for value in ["upcoming", "past"] {
                    var scoped = self
                    scoped.filters["when"] = value
                    counts[value] = try await scoped.count(on: database)
                }
                result["when"] = counts
                continue
            }
            var others = filters
            others[facet.name] = nil
            passes[others, default: []].append(facet.name)
        }
        // Facets counted under at most one other filter, for a reader who sees
        // whole visibilities: the kept counts (disjunctive: a facet's counts
        // ignore its own filter).
        if let visibilities = ItemCounts.visibilities(of: reader) {
            let kept = ItemCounts(database: try database.sql)
            for (others, names) in passes where others.count <= 1 && others["when"] == nil {
                let given = others.first.map { (facet: $0.key, value: $0.value) }
                for (facet, values) in try await kept.values(type, facets: Set(names), given: given, visibilities: visibilities) {
                    result[facet] = values
                }
                passes[others] = nil
            }
        }
        let search = SearchService(database: database, reader: reader, now: now)
        let codes = SearchFacetCodes(database: try database.sql, postgres: database.isPostgres)
        for (others, names) in passes {
            for scope in search.scopes(type: type, filters: others) {
                for (facet, values) in try await codes.counts(in: scope, type: type, facets: Set(names)) {
                    for (value, count) in values { result[facet, default: [:]][value, default: 0] += count }
                }
            }
        }
        return result
    }
}
