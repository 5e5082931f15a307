import Fluent
import Foundation
import SQLKit
import LabAtlasCore

/// Turns link rows into references the reader may see, in batches.
struct LinkResolver {
    let database: any Database
    let reader: Reader


    /// Outgoing links of each source item.
    func outgoing(from sourceIDs: [UUID]) async throws -> [UUID: ResolvedLinks] {
        guard !sourceIDs.isEmpty else { return [:] }
        let links = try await LinkRow.all(try LinkRow.select(on: database)
            .where("source_id", .in, SQLBind.group(sourceIDs)).orderBy("position"))
        let refs = try await references(Dictionary(grouping: links, by: \.targetType).mapValues { $0.map(\.targetID) })
        var result: [UUID: ResolvedLinks] = [:]
        for link in links {
            guard let ref = refs[link.targetID] else { continue }
            result[link.sourceID, default: ResolvedLinks()].byRelation[link.relation, default: []].append(ref)
        }
        return result
    }

    /// Links as just written (each relation's targets in order), with what
    /// they point at read now: the same as `outgoing` would read back, one query fewer.
    func current(_ links: [(LinkRelation, [ItemRef])]) async throws -> ResolvedLinks {
        var idsByType: [ItemType: [UUID]] = [:]
        for (_, targets) in links { for target in targets { idsByType[target.type, default: []].append(target.id) } }
        let refs = try await references(idsByType)
        var resolved = ResolvedLinks()
        for (relation, targets) in links {
            let found = targets.compactMap { refs[$0.id] }
            if !found.isEmpty { resolved.byRelation[relation, default: []] += found }
        }
        return resolved
    }

    /// Items of `sourceType` pointing at each target through `relation`, sorted by title.
    func incoming(to targetIDs: [UUID], relation: LinkRelation, sourceType: ItemType) async throws -> [UUID: [ItemRef]] {
        guard !targetIDs.isEmpty else { return [:] }
        let links = try await LinkRow.all(try LinkRow.select(on: database)
            .where("target_id", .in, SQLBind.group(targetIDs))
            .where("relation", .equal, SQLBind(relation.rawValue))
            .where("source_type", .equal, SQLBind(sourceType.rawValue)))
        let refs = try await references([sourceType: links.map(\.sourceID)])
        var result: [UUID: [ItemRef]] = [:]
        for link in links {
            guard let ref = refs[link.sourceID] else { continue }
            result[link.targetID, default: []].append(ref)
        }
        // Each title folded once, not in every comparison: a lab has hundreds of sessions.
        return result.mapValues { refs in
            refs.map { (TextFolding.fold($0.title), $0) }.sorted { $0.0 < $1.0 }.map(\.1)
        }
    }

    /// The first `limit` visible items of `sourceType` pointing at `target`
    /// through `relation`, in title order (as lists sort them), and how many
    /// there are: a lab page shows twelve of its hundreds of projects, and the
    /// database sorts and counts them without handing every one to Swift.
    func incomingPage(to target: UUID, relation: LinkRelation, sourceType: ItemType, limit: Int) async throws -> (ids: [UUID], total: Int) {
        let rows = try await database.sql.select()
            .column(SQLColumn("id", table: "s"))
            .column(SQLQueryString("COUNT(*) OVER ()"), as: "total")
            .from(SQLAlias(SQLIdentifier(ItemLink.schema), as: SQLIdentifier("l")))
            .join(SQLAlias(SQLIdentifier(sourceType.table), as: SQLIdentifier("s")),
                  on: SQLColumn("id", table: "s"), .equal, SQLColumn("source_id", table: "l"))
            .where(SQLColumn("target_id", table: "l"), .equal, SQLBind(target))
            .where(SQLColumn("relation", table: "l"), .equal, SQLBind(relation.rawValue))
            .where(SQLColumn("source_type", table: "l"), .equal, SQLBind(sourceType.rawValue))
            .where(reader.visibilityPredicate(for: sourceType, table: "s"))
            .orderBy(SQLColumn("sort_key", table: "s")).orderBy(SQLColumn("slug", table: "s"))
            .limit(limit).all()
        let ids = try rows.map { try $0.decode(column: "id", as: UUID.self) }
        return (ids, try rows.first?.decode(column: "total", as: Int.self) ?? 0)
    }

    /// The visible items among `ids`, by id.
    func references(_ idsByType: [ItemType: [UUID]]) async throws -> [UUID: ItemRef] {
        var refs: [UUID: ItemRef] = [:]
        for (type, ids) in idsByType where !ids.isEmpty {
            for chunk in stride(from: 0, to: ids.count, by: 500).map({ Array(ids[$0..<min($0 + 500, ids.count)]) }) {
                var query = try database.sql.select()
                    .column("id").column("slug").column(SQLColumn(type.titleColumn), as: "title")
                    .from(type.table)
                    .where("id", .in, SQLBind.group(chunk))
                    .whereVisible(to: reader, type: type)
                if type == .labs { query = query.column("region") }
                for row in try await query.all() {
                    let id = try row.decode(column: "id", as: UUID.self)
                    refs[id] = ItemRef(type: type, id: id, slug: try row.decode(column: "slug", as: String.self),
                                       title: try row.decode(column: "title", as: String.self),
                                       region: type == .labs ? try row.decode(column: "region", as: String?.self) : nil)
                }
            }
        }
        return refs
    }

    /// Visible items of a type by slug.
    func lookup(_ type: ItemType, slugs: [String]) async throws -> [String: ItemRef] {
        guard !slugs.isEmpty else { return [:] }
        var query = try database.sql.select()
            .column("id").column("slug").column(SQLColumn(type.titleColumn), as: "title")
            .from(type.table)
            .where("slug", .in, SQLBind.group(slugs))
            .whereVisible(to: reader, type: type)
        if type == .labs { query = query.column("region") }
        var refs: [String: ItemRef] = [:]
        for row in try await query.all() {
            let slug = try row.decode(column: "slug", as: String.self)
            refs[slug] = ItemRef(type: type, id: try row.decode(column: "id", as: UUID.self), slug: slug,
                                 title: try row.decode(column: "title", as: String.self),
                                 region: type == .labs ? try row.decode(column: "region", as: String?.self) : nil)
        }
        return refs
    }
}

/// A row of `item_links` read through SQLKit: decoding Fluent models reflects
/// over their fields on every row, which cost most of a lab page with
/// hundreds of incoming links.
private struct LinkRow {
    var sourceID: UUID
    var relation: LinkRelation
    var targetType: ItemType
    var targetID: UUID

    /// The columns a link row needs, from `item_links`; the caller adds its conditions.
    static func select(on database: any Database) throws -> SQLSelectBuilder {
        try database.sql.select().columns(["source_id", "relation", "target_type", "target_id"]).from(ItemLink.schema)
    }

    static func all(_ query: SQLSelectBuilder) async throws -> [LinkRow] {
        try await query.all().compactMap { row in
            // A relation or type this version does not know links nothing it can show.
            guard let relation = LinkRelation(rawValue: try row.decode(column: "relation", as: String.self)),
                  let targetType = ItemType(rawValue: try row.decode(column: "target_type", as: String.self)) else { return nil }
            return LinkRow(sourceID: try row.decode(column: "source_id", as: UUID.self), relation: relation,
                           targetType: targetType, targetID: try row.decode(column: "target_id", as: UUID.self))
        }
    }
}
