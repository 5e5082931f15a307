import Fluent
import Foundation
import SQLKit
import LabAtlasCore

/// Input that fails validation: every wrong field, with a French message.
struct ValidationFailure: Error {
    var errors: [FieldError]
}

/// A save started from a revision that is no longer the current one.
struct EditConflict: Error {
    var currentRevision: Int
}

/// Who saves, why, and from which revision: what a revision records.
struct SaveContext: Sendable {
    var author: Reader.Account?
    /// The reader whose rights are checked; the system when nil (demo, imports).
    var reader: Reader = .system
    /// The revision the edit started from; nil skips the concurrency check (system writes).
    var baseRevision: Int?
    var action: RevisionAction?
    var summary: String?

    static let system = SaveContext()
}

/// Saves items of any type: validates, checks rights and concurrency, and
/// writes the row, its links, its facet values and a revision in one transaction.
struct ItemWriter {
    let database: any Database
    var today: CalendarDate = ParisTime.calendarDate(Date())

    /// Creates an item, or updates `existing`. Throws `ValidationFailure`,
    /// `EditConflict` or `Abort(.forbidden)` and then changes nothing.
    @discardableResult
    func save<K: ItemKind>(_ kind: K.Type, _ dto: K.DTO, existing: K.M? = nil, context: SaveContext = .system) async throws -> K.M {
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
           try await K.M.query(on: database).withDeleted().filter(CommonColumn.slug, .equal, wanted).count() > 0 {
            errors.append(FieldError("slug", "L'identifiant « \(wanted) » est déjà utilisé."))
        }
        var newLinks = ResolvedLinks()
        for (relation, refs) in targets { newLinks.byRelation[relation] = refs }
        if errors.isEmpty, !context.reader.seesEverything {
            let ownership = newLinks.ownership(itemID: existing?.id, type: K.type)
            if !context.reader.canEdit(K.type, ownership) {
                errors.append(Self.ownershipError(for: K.type))
            }
        }
        // Validation and applying the fields may both object to one missing field: said once.
        var said = Set<String>()
        errors = errors.filter { said.insert($0.field + "\u{0}" + $0.message).inserted }
        guard errors.isEmpty else { throw ValidationFailure(errors: errors) }

        let common = K.commonFields(of: dto)
        model.visibility = common.visibility ?? existing?.visibility ?? .public
        model.themes = ThemeNormaliser.normalise(common.themes)
        model.extra = common.extra
        model.source = common.source
        model.sortKey = TextFolding.fold(model.displayTitle)

        let links = targets
        let snapshotLinks = newLinks
        try await database.writeTransaction { transaction in
            if let existing, let id = existing.id {
                // Claim the next revision first: of two concurrent saves from the same
                // revision, exactly one gets the row, on SQLite and PostgreSQL alike.
                let base = context.baseRevision ?? existing.revision
                guard let claimed = try await Self.claimNextRevision(K.M.schema, id: id, from: base, liveOnly: false, on: transaction) else {
                    let current = try await K.M.query(on: transaction).withDeleted().filter(\._$id == id).first()?.revision ?? base
                    throw EditConflict(currentRevision: current)
                }
                model.revision = claimed
            } else {
                // Fluent would make the id with Foundation's `UUID()` (a file opened each time).
                model.id = model.id ?? UUID.random()
                model.revision = 1
                if let wanted = K.slug(of: dto) {
                    model.slug = wanted
                } else {
                    model.slug = try await Self.uniqueSlug(for: K.slugSource(of: dto), in: K.M.self, on: transaction)
                }
            }
            try await model.save(on: transaction)
            let id = try model.requiredID
            // A new item has nothing derived yet: no links, facet rows or document to replace.
            let new = existing == nil
            if !new { try await ItemLink.query(on: transaction).filter(\.$sourceID == id).delete() }
            let rows = links.flatMap { relation, refs in
                refs.enumerated().map { position, ref in
                    ItemLink(source: (K.type, id), relation: relation, target: (ref.type, ref.id), position: position)
                }
            }
            try await rows.insert(on: try transaction.sql)
            // What the links point at, read again under the write lock: it may have
            // changed since it was looked up (a lab's region, which its items file).
            let written = [id: try await LinkResolver(database: transaction, reader: .system).current(links)]
            try await FacetIndexer(database: transaction).write(K.self, models: [model], links: written, new: new)
            if K.type == .labs {
                try await FacetIndexer(database: transaction).rebuildDependents(ofLab: id)
            }
            // Indexing refreshes the index's copy of the facet rows too.
            try await SearchIndexer(database: transaction).index(K.self, model, new: new)
            try await RevisionLog(database: transaction).record(K.self, model, links: snapshotLinks,
                action: context.action ?? (existing == nil ? .create : .update), context: context)
        }
        return model
    }

    /// Soft-deletes an item; the deletion is a revision an administrator can undo.
    func delete<K: ItemKind>(_ kind: K.Type, _ model: K.M, context: SaveContext) async throws {
        let id = try model.requiredID
        try await database.writeTransaction { transaction in
            let base = context.baseRevision ?? model.revision
            guard let claimed = try await Self.claimNextRevision(K.M.schema, id: id, from: base, liveOnly: true, on: transaction) else {
                throw EditConflict(currentRevision: model.revision)
            }
            model.revision = claimed
            try await model.save(on: transaction)
            try await model.delete(on: transaction)
            try await SearchIndexer(database: transaction).reindex(K.self, ids: [id])
            let links = try await LinkResolver(database: transaction, reader: .system).outgoing(from: [id])[id] ?? ResolvedLinks()
            try await RevisionLog(database: transaction).record(K.self, model, links: links, action: .delete, context: context)
        }
    }

    /// Brings a deleted item back, as a new revision.
    func undelete<K: ItemKind>(_ kind: K.Type, _ model: K.M, context: SaveContext) async throws {
        let id = try model.requiredID
        try await database.writeTransaction { transaction in
            model.deletedAt = nil
            model.revision += 1
            try await transaction.sql.update(K.M.schema)
                .set("deleted_at", to: SQLLiteral.null).set("revision", to: model.revision)
                .where("id", .equal, id).run()
            try await SearchIndexer(database: transaction).reindex(K.self, ids: [id])
            let links = try await LinkResolver(database: transaction, reader: .system).outgoing(from: [id])[id] ?? ResolvedLinks()
            try await RevisionLog(database: transaction).record(K.self, model, links: links, action: .undelete, context: context)
        }
    }

    static func ownershipError(for type: ItemType) -> FieldError {
        switch type {
        case .projects, .events: FieldError("labs", "Vous ne pouvez rattacher cet élément qu'à un lab dont vous êtes éditeur·rice.")
        case .sessions, .experiences: FieldError("lab", "Vous ne pouvez rattacher cet élément qu'à un lab (ou un projet) dont vous êtes éditeur·rice.")
        case .labs: FieldError("networks", "Vous ne pouvez modifier que les labs dont vous êtes éditeur·rice ou ceux des réseaux que vous coordonnez.")
        case .networks, .methods: FieldError("name", "Vous n'avez pas le droit de modifier cet élément.")
        }
    }

    /// Claims the next revision of a row still at `base`: of two concurrent saves from the
    /// same revision, exactly one gets it, on SQLite and PostgreSQL alike. Nil when stale.
    static func claimNextRevision(_ table: String, id: UUID, from base: Int, liveOnly: Bool, on database: any Database) async throws -> Int? {
        var update = try database.sql.update(table)
            .set("revision", to: SQLBinaryExpression(left: SQLColumn("revision"), op: SQLBinaryOperator.add, right: SQLLiteral.numeric("1")))
            .where("id", .equal, id).where("revision", .equal, base)
        if liveOnly { update = update.where(SQLColumn("deleted_at"), .is, SQLLiteral.null) }
        return try await update.returning("revision").first()?.decode(column: "revision", as: Int.self)
    }

    /// The slug of `text`, numbered (`-2`, `-3`…) when taken. The first
    /// candidates are looked up by the slug index; only a base taken more
    /// than that many times reads every slug that starts like it.
    static func uniqueSlug<M: AtlasModel>(for text: String, in model: M.Type, on database: any Database) async throws -> String {
        let base = TextFolding.slug(text)
        let candidates = [base] + (2...16).map { "\(base)-\($0)" }
        func taken(_ predicate: (SQLSelectBuilder) -> SQLSelectBuilder) async throws -> Set<String> {
            Set(try await predicate(database.sql.select().column("slug").from(M.schema)).all()
                .map { try $0.decode(column: "slug", as: String.self) })
        }
        var used = try await taken { $0.where("slug", .in, SQLBind.group(candidates)) }
        if let free = candidates.first(where: { !used.contains($0) }) { return free }
        used = try await taken { $0.where("slug", .like, SQLBind(base + "-%")) }
        var counter = candidates.count + 1
        while used.contains("\(base)-\(counter)") { counter += 1 }
        return "\(base)-\(counter)"
    }
}
