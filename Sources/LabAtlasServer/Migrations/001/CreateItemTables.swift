import Fluent
import SQLKit

/// Migration 001: the item tables of the domain model, the link table and the facet table.

struct CreateNetworks: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(Network.schema).atlasCommonFields()
            .field("name", .string, .required)
            .field("description", .string)
            .create()
    }
    func revert(on database: any Database) async throws { try await database.schema(Network.schema).delete() }
}

struct CreateLabs: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(Lab.schema).atlasCommonFields()
            .field("name", .string, .required)
            .field("host_organisation", .string)
            .field("government_level", .string)
            .field("region", .string)
            .field("city", .string)
            .field("postal_code", .string)
            .field("latitude", .double)
            .field("longitude", .double)
            .field("maturity", .string)
            .field("launch_date", .string)
            .field("team", .string)
            .field("services", .array(of: .string), .required)
            .field("highlight", .string)
            .field("objectives", .string)
            .field("website", .string)
            .field("contact", .string)
            .create()
    }
    func revert(on database: any Database) async throws { try await database.schema(Lab.schema).delete() }
}

struct CreateProjects: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(Project.schema).atlasCommonFields()
            .field("title", .string, .required)
            .field("summary", .string)
            .field("description", .string)
            .field("organisation", .string)
            .field("team", .array(of: .json), .required)
            .field("stage", .string, .required)
            .field("stage_since", .string)
            .field("stage_history", .array(of: .json), .required)
            .field("decisions", .array(of: .json), .required)
            .field("product_url", .string)
            .field("achievements", .array(of: .json), .required)
            .field("next_steps", .string)
            .field("vigilance", .string)
            .create()
    }
    func revert(on database: any Database) async throws { try await database.schema(Project.schema).delete() }
}

struct CreateExperiences: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(Experience.schema).atlasCommonFields()
            .field("title", .string, .required)
            .field("cooperation", .string)
            .field("audiences", .array(of: .string), .required)
            .field("audiences_other", .string)
            .field("description", .string)
            .field("went_well", .string)
            .field("went_badly", .string)
            .field("advice", .string)
            .field("link", .string)
            .field("link_shareable", .bool)
            .field("pilot", .string)
            .field("pilot_contact", .string)
            .field("year", .int)
            .create()
    }
    func revert(on database: any Database) async throws { try await database.schema(Experience.schema).delete() }
}

struct CreateWorkSessions: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(WorkSession.schema).atlasCommonFields()
            .field("title", .string, .required)
            .field("date", .string, .required)
            .field("nature", .string)
            .field("level", .int)
            .field("format", .string)
            .field("participants", .int)
            .field("outcome", .string)
            .field("retrospective", .string)
            .create()
    }
    func revert(on database: any Database) async throws { try await database.schema(WorkSession.schema).delete() }
}

struct CreateEvents: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(Event.schema).atlasCommonFields()
            .field("title", .string, .required)
            .field("description", .string)
            .field("timings", .array(of: .json), .required)
            .field("starts_at", .datetime, .required)
            .field("ends_at", .datetime, .required)
            .field("place", .json)
            .field("online_url", .string)
            .field("attendance", .string)
            .field("status", .string, .required)
            .field("registration_url", .string)
            .field("keywords", .array(of: .string), .required)
            .create()
    }
    func revert(on database: any Database) async throws { try await database.schema(Event.schema).delete() }
}

struct CreateMethods: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(FacilitationMethod.schema).atlasCommonFields()
            .field("name", .string, .required)
            .field("category", .string, .required)
            .field("description", .string)
            .field("duration_minutes", .int)
            .field("group_size", .string)
            .field("materials", .string)
            .field("remote_ok", .bool)
            .create()
    }
    func revert(on database: any Database) async throws { try await database.schema(FacilitationMethod.schema).delete() }
}

struct CreateItemLinks: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(ItemLink.schema)
            .id()
            .field("source_type", .string, .required)
            .field("source_id", .uuid, .required)
            .field("relation", .string, .required)
            .field("target_type", .string, .required)
            .field("target_id", .uuid, .required)
            .field("position", .int, .required)
            .unique(on: "source_id", "relation", "target_id")
            .create()
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.create(index: "item_links_by_target").on(ItemLink.schema).column("target_id").column("relation").run()
    }
    func revert(on database: any Database) async throws { try await database.schema(ItemLink.schema).delete() }
}

struct CreateItemFacets: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(ItemFacet.schema)
            .id()
            .field("item_type", .string, .required)
            .field("item_id", .uuid, .required)
            .field("facet", .string, .required)
            .field("value", .string, .required)
            .create()
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.create(index: "item_facets_by_value").on(ItemFacet.schema)
            .column("item_type").column("facet").column("value").column("item_id").run()
        try await sql.create(index: "item_facets_by_item").on(ItemFacet.schema).column("item_id").run()
    }
    func revert(on database: any Database) async throws { try await database.schema(ItemFacet.schema).delete() }
}

/// Sorting indexes for the list pages.
struct AddListIndexes: AsyncMigration {
    func prepare(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        for table in [Lab.schema, Project.schema, Experience.schema, WorkSession.schema, Event.schema,
                      FacilitationMethod.schema, Network.schema] {
            try await sql.create(index: "\(table)_by_sort_key").on(table).column("sort_key").run()
            try await sql.create(index: "\(table)_by_updated_at").on(table).column("updated_at").run()
        }
        try await sql.create(index: "work_sessions_by_date").on(WorkSession.schema).column("date").run()
        try await sql.create(index: "events_by_starts_at").on(Event.schema).column("starts_at").run()
    }
    func revert(on database: any Database) async throws {}
}

enum Migrations001 {
    static let all: [any Migration] = [
        CreateNetworks(), CreateLabs(), CreateProjects(), CreateExperiences(), CreateWorkSessions(),
        CreateEvents(), CreateMethods(), CreateItemLinks(), CreateItemFacets(), AddListIndexes(),
    ]
}
