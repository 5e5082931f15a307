import Fluent
import FluentSQL
import Foundation
import SQLKit
import LabAtlasCore

/// Reads items for a reader: finds by slug, loads pages of ids, builds DTOs
/// whose links only name items the reader may see.
struct ItemRepository {
    let database: any Database
    let reader: Reader
    /// Visitors' cards kept across requests (`VisitorCardCache`); nil builds every card.
    var keptCards: VisitorCardCache? = nil
    /// Renders a card as pages show it, so that a kept card is rendered once.
    var renderCard: (@Sendable (Card) async throws -> String)? = nil

    var links: LinkResolver { LinkResolver(database: database, reader: reader) }

    func find<K: ItemKind>(_ kind: K.Type, slug: String) async throws -> K.M? {
        guard TextFolding.isValidSlug(slug) else { return nil }
        return try await K.M.query(on: database).visible(to: reader).filter(CommonColumn.slug, .equal, slug).first()
    }

    /// Models with these ids, in the order of `ids`, visible ones only.
    func models<K: ItemKind>(_ kind: K.Type, ids: [UUID]) async throws -> [K.M] {
        guard !ids.isEmpty else { return [] }
        // Fluent's own query names every column three times (table, column,
        // alias), and writing those names took a tenth of a list page: the rows
        // are read with SQLKit and only decoded by Fluent.
        let found = try await database.sql.select().column(SQLLiteral.all).from(K.M.schema)
            .where("id", .in, SQLBind.group(ids)).whereVisible(to: reader, type: K.type).all()
            .map { try $0.decode(fluentModel: K.M.self) }
        let byID = Dictionary(found.compactMap { model in model.id.map { ($0, model) } }, uniquingKeysWith: { first, _ in first })
        return ids.compactMap { byID[$0] }
    }

    /// Models with their resolved outgoing links.
    func withLinks<K: ItemKind>(_ kind: K.Type, _ models: [K.M]) async throws -> [(model: K.M, links: ResolvedLinks)] {
        let ids = models.compactMap(\.id)
        let outgoing = try await links.outgoing(from: ids)
        return models.map { model in (model, model.id.flatMap { outgoing[$0] } ?? ResolvedLinks()) }
    }

    func dtos<K: ItemKind>(_ kind: K.Type, _ models: [K.M]) async throws -> [K.DTO] {
        let ids = models.compactMap(\.id)
        let outgoing = try await links.outgoing(from: ids)
        var inverse: [UUID: ResolvedLinks] = [:]
        for (relation, source) in K.inverseRelations {
            for (target, refs) in try await links.incoming(to: ids, relation: relation, sourceType: source) {
                inverse[target, default: ResolvedLinks()].byRelation[relation] = refs
            }
        }
        return models.map { model in
            let id = model.id
            let links = id.flatMap { outgoing[$0] } ?? ResolvedLinks()
            var dto = K.dto(of: model, links: links, inverse: id.flatMap { inverse[$0] } ?? ResolvedLinks())
            if !reader.seesContacts(ofLabs: links.ownership(itemID: id, type: K.type).labIDs) {
                K.redactContacts(&dto)
            }
            return dto
        }
    }
}

extension ItemRepository {
    /// French labels of facet values; references the reader may not see get none.
    func facetLabels(_ facet: FacetDefinition, values: [String]) async throws -> [String: String] {
        switch facet.values {
        case .reference(let target):
            let refs = try await links.lookup(target, slugs: values.filter(TextFolding.isValidSlug))
            return refs.mapValues(\.title)
        default:
            return Dictionary(values.map { ($0, facet.label(for: $0)) }, uniquingKeysWith: { first, _ in first })
        }
    }
}
