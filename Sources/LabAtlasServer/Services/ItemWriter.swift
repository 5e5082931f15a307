import Fluent
import Foundation
import SQLKit
import LabAtlasCore

/// Input that fails validation: every wrong field, with a French message.
struct ValidationFailure: Error {
    var errors: [FieldError]
}

/// Saves items of any type: validates, resolves references, writes the row,
/// its links and its facet values in one transaction.
struct ItemWriter {
    let database: any Database
    var today: CalendarDate = ParisTime.calendarDate(Date())

    /// Creates an item, or updates `existing`. Throws `ValidationFailure` and changes nothing when input is wrong.
    @discardableResult
    func save<K: ItemKind>(_ kind: K.Type, _ dto: K.DTO, existing: K.M? = nil) async throws -> K.M {
        var errors = K.validate(dto)
        let resolver = LinkResolver(database: database, reader: .system)
        var targets: [(LinkRelation, [ItemRef])] = []
        for reference in K.references(of: dto) {
            let slugs = reference.slugs.compactMap(\.nonBlank)
            let found = try await resolver.lookup(reference.target, slugs: slugs)
            let missing = slugs.filter { found[$0] == nil }
            if !missing.isEmpty {
                errors.append(FieldError(reference.field,
                    "Aucun élément de type « \(reference.target.singularLabel.lowercased()) » ne porte l'identifiant « \(missing.joined(separator: ", ")) »."))
            }
            var seen = Set<String>()
            targets.append((reference.relation, slugs.compactMap { seen.insert($0).inserted ? found[$0] : nil }))
        }
        let model = existing ?? K.M()
        errors += K.apply(dto, to: model, today: today)
        if let wanted = K.slug(of: dto), existing == nil,
           try await K.M.query(on: database).filter(CommonColumn.slug, .equal, wanted).count() > 0 {
            errors.append(FieldError("slug", "L'identifiant « \(wanted) » est déjà utilisé."))
        }
        guard errors.isEmpty else { throw ValidationFailure(errors: errors) }

        let common = K.commonFields(of: dto)
        model.visibility = common.visibility ?? existing?.visibility ?? .public
        model.themes = ThemeNormaliser.normalise(common.themes)
        model.extra = common.extra
        model.source = common.source
        model.sortKey = TextFolding.fold(model.displayTitle)
        model.revision = (existing?.revision ?? 0) + 1

        let links = targets
        try await database.transaction { transaction in
            if existing == nil {
                if let wanted = K.slug(of: dto) {
                    model.slug = wanted
                } else {
                    model.slug = try await Self.uniqueSlug(for: K.slugSource(of: dto), in: K.M.self, on: transaction)
                }
            }
            try await model.save(on: transaction)
            let id = try model.requiredID
            try await ItemLink.query(on: transaction).filter(\.$sourceID == id).delete()
            for (relation, refs) in links {
                for (position, ref) in refs.enumerated() {
                    try await ItemLink(source: (K.type, id), relation: relation, target: (ref.type, ref.id), position: position)
                        .create(on: transaction)
                }
            }
            try await FacetIndexer(database: transaction).rebuild(K.self, ids: [id])
            if K.type == .labs {
                try await FacetIndexer(database: transaction).rebuildDependents(ofLab: id)
            }
        }
        return model
    }

    static func uniqueSlug<M: AtlasModel>(for text: String, in model: M.Type, on database: any Database) async throws -> String {
        let base = TextFolding.slug(text)
        let rows = try await database.sql.select().column("slug").from(M.schema)
            .where("slug", .like, SQLBind(base + "%")).all()
        let taken = Set(try rows.map { try $0.decode(column: "slug", as: String.self) })
        guard taken.contains(base) else { return base }
        var counter = 2
        while taken.contains("\(base)-\(counter)") { counter += 1 }
        return "\(base)-\(counter)"
    }
}

