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
        let links = try await ItemLink.query(on: database).filter(\.$sourceID ~~ sourceIDs).sort(\.$position).all()
        let refs = try await references(Dictionary(grouping: links, by: \.targetType).mapValues { $0.map(\.targetID) })
        var result: [UUID: ResolvedLinks] = [:]
        for link in links {
            guard let ref = refs[link.targetID] else { continue }
            result[link.sourceID, default: ResolvedLinks()].byRelation[link.relation, default: []].append(ref)
        }
        return result
    }

    /// Items of `sourceType` pointing at each target through `relation`, sorted by title.
    func incoming(to targetIDs: [UUID], relation: LinkRelation, sourceType: ItemType) async throws -> [UUID: [ItemRef]] {
        guard !targetIDs.isEmpty else { return [:] }
        let links = try await ItemLink.query(on: database)
            .filter(\.$targetID ~~ targetIDs).filter(\.$relation == relation).filter(\.$sourceType == sourceType).all()
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
