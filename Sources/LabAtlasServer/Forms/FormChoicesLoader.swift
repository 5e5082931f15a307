import Fluent
import Foundation
import SQLKit
import LabAtlasCore

/// Builds the lists a form offers: the labs and projects the user may attach
/// items to, the networks and methods they may see.
struct FormChoicesLoader {
    let database: any Database
    let reader: Reader

    func load() async throws -> FormChoices {
        var choices = FormChoices()
        let labs = try await options(.labs)
        choices.labs = reader.seesEverything ? labs.map { ($0.slug, $0.title) }
            : labs.filter { reader.editorLabIDs.contains($0.id) }.map { ($0.slug, $0.title) }
        choices.networks = try await options(.networks).filter { reader.seesEverything || reader.coordinatedNetworkIDs.contains($0.id) }
            .map { ($0.slug, $0.title) }
        choices.methods = try await options(.methods).map { ($0.slug, $0.title) }
        choices.projects = try await options(.projects).map { ($0.slug, $0.title) }
        return choices
    }

    private func options(_ type: ItemType) async throws -> [(id: UUID, slug: String, title: String)] {
        let rows = try await database.sql.select()
            .column("id").column("slug").column(SQLColumn(type.titleColumn), as: "title")
            .from(type.table).whereVisible(to: reader, type: type)
            .orderBy("sort_key").limit(2000).all()
        return try rows.map { (try $0.decode(column: "id", as: UUID.self), try $0.decode(column: "slug", as: String.self),
                               try $0.decode(column: "title", as: String.self)) }
    }
}

extension FormChoices {
    /// The options a field offers, by field name.
    func offered(for field: String) -> Set<String>? {
        switch field {
        case "labs", "lab": Set(labs.map(\.value))
        case "networks": Set(networks.map(\.value))
        case "methods": Set(methods.map(\.value))
        case "project": Set(projects.map(\.value))
        default: nil
        }
    }
}

extension ItemForm {
    /// Links the user could not see or choose are not in the form: keep them,
    /// so saving a form never silently detaches what the user was not shown.
    static func keepUnofferedLinks(_ form: inout FormData, base: DTO?, choices: FormChoices) {
        guard let base else { return }
        for reference in references(of: base) {
            guard let offered = choices.offered(for: reference.field) else { continue }
            let hidden = reference.slugs.filter { !offered.contains($0) }
            guard !hidden.isEmpty else { continue }
            if reference.field == "lab" || reference.field == "project" {
                if form[reference.field] == nil { form[reference.field] = hidden.first }
            } else {
                form.set(reference.field, form.all(reference.field) + hidden)
            }
        }
    }
}
