import Fluent
import SQLKit

/// Migration 002: accounts, roles, tokens, invitations, resets, sign-in
/// throttling, revisions, database-backed sessions and soft deletion.

struct CreateUsers: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(User.schema).id()
            .field("email", .string, .required).unique(on: "email")
            .field("name", .string, .required)
            .field("organisation", .string)
            .field("password_hash", .string, .required)
            .field("is_admin", .bool, .required)
            .field("created_at", .datetime)
            .field("updated_at", .datetime)
            .create()
    }
    func revert(on database: any Database) async throws { try await database.schema(User.schema).delete() }
}

struct CreateMemberships: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(Membership.schema).id()
            .field("user_id", .uuid, .required, .references(User.schema, "id", onDelete: .cascade))
            .field("scope_type", .string, .required)
            .field("scope_id", .uuid, .required)
            .field("role", .string, .required)
            .field("created_at", .datetime)
            .unique(on: "user_id", "scope_type", "scope_id")
            .create()
        try await database.sql.create(index: "memberships_by_scope").on(Membership.schema).column("scope_id").run()
    }
    func revert(on database: any Database) async throws { try await database.schema(Membership.schema).delete() }
}

struct CreateAPITokens: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(APIToken.schema).id()
            .field("user_id", .uuid, .required, .references(User.schema, "id", onDelete: .cascade))
            .field("label", .string, .required)
            .field("token_hash", .string, .required).unique(on: "token_hash")
            .field("created_at", .datetime)
            .field("last_used_at", .datetime)
            .field("revoked_at", .datetime)
            .create()
    }
    func revert(on database: any Database) async throws { try await database.schema(APIToken.schema).delete() }
}

struct CreateInvitations: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(Invitation.schema).id()
            .field("token_hash", .string, .required).unique(on: "token_hash")
            .field("email", .string, .required)
            .field("scope_type", .string)
            .field("scope_id", .uuid)
            .field("role", .string)
            .field("invited_by", .uuid, .required)
            .field("expires_at", .datetime, .required)
            .field("accepted_at", .datetime)
            .field("created_at", .datetime)
            .create()
    }
    func revert(on database: any Database) async throws { try await database.schema(Invitation.schema).delete() }
}

struct CreatePasswordResets: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(PasswordReset.schema).id()
            .field("user_id", .uuid, .required, .references(User.schema, "id", onDelete: .cascade))
            .field("token_hash", .string, .required).unique(on: "token_hash")
            .field("expires_at", .datetime, .required)
            .field("used_at", .datetime)
            .create()
    }
    func revert(on database: any Database) async throws { try await database.schema(PasswordReset.schema).delete() }
}

struct CreateLoginAttempts: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(LoginAttempt.schema).id()
            .field("email", .string, .required)
            .field("address", .string, .required)
            .field("succeeded", .bool, .required)
            .field("at", .datetime, .required)
            .create()
        try await database.sql.create(index: "login_attempts_by_email").on(LoginAttempt.schema).column("email").column("at").run()
        try await database.sql.create(index: "login_attempts_by_address").on(LoginAttempt.schema).column("address").column("at").run()
    }
    func revert(on database: any Database) async throws { try await database.schema(LoginAttempt.schema).delete() }
}

struct CreateRevisions: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(Revision.schema).id()
            .field("item_type", .string, .required)
            .field("item_id", .uuid, .required)
            .field("number", .int, .required)
            .field("action", .string, .required)
            .field("author_id", .uuid)
            .field("author_name", .string, .required)
            .field("summary", .string, .required)
            .field("snapshot", .string, .required)
            .field("created_at", .datetime)
            .unique(on: "item_id", "number")
            .create()
    }
    func revert(on database: any Database) async throws { try await database.schema(Revision.schema).delete() }
}

/// Deleting an item keeps its row (and its history) so an administrator can undo it.
struct AddDeletedAt: AsyncMigration {
    func prepare(on database: any Database) async throws {
        for table in ItemTables.all {
            try await database.schema(table).field("deleted_at", .datetime).update()
        }
    }
    func revert(on database: any Database) async throws {
        for table in ItemTables.all { try await database.schema(table).deleteField("deleted_at").update() }
    }
}

enum ItemTables {
    static let all = [Network.schema, Lab.schema, Project.schema, Experience.schema, WorkSession.schema,
                      Event.schema, FacilitationMethod.schema]
}

enum Migrations002 {
    static let all: [any Migration] = [
        CreateUsers(), CreateMemberships(), CreateAPITokens(), CreateInvitations(), CreatePasswordResets(),
        CreateLoginAttempts(), CreateRevisions(), AddDeletedAt(), SessionRecord.migration,
    ]
}
