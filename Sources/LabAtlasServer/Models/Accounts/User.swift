import Fluent
import Foundation

/// An account: e-mail and password (Bcrypt), optionally site administrator.
final class User: Model, @unchecked Sendable {
    static let schema = "users"

    @ID(key: .id) var id: UUID?
    /// Stored lower-cased, so sign-in ignores case.
    @Field(key: "email") var email: String
    @Field(key: "name") var name: String
    @OptionalField(key: "organisation") var organisation: String?
    @Field(key: "password_hash") var passwordHash: String
    @Field(key: "is_admin") var isAdmin: Bool
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?

    init() {}

    /// The fields, listed: Fluent otherwise finds them by reflection on every row.
    var properties: [any AnyProperty] {
        [
            $id, $email, $name, $organisation, $passwordHash, $isAdmin, $createdAt, $updatedAt
        ]
    }

    init(email: String, name: String, passwordHash: String, isAdmin: Bool = false) {
        self.email = User.normalise(email: email)
        self.name = name
        self.passwordHash = passwordHash
        self.isAdmin = isAdmin
    }

    static func normalise(email: String) -> String {
        email.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
    }
}

/// A role held by a user in a network, a lab or a project.
final class Membership: Model, @unchecked Sendable {
    static let schema = "memberships"

    @ID(key: .id) var id: UUID?
    @Parent(key: "user_id") var user: User
    /// `networks`, `labs` or `projects`.
    @Field(key: "scope_type") var scopeType: String
    @Field(key: "scope_id") var scopeID: UUID
    @Field(key: "role") var role: String
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    init() {}

    /// The fields, listed: Fluent otherwise finds them by reflection on every row.
    var properties: [any AnyProperty] {
        [
            $id, $user, $scopeType, $scopeID, $role, $createdAt
        ]
    }

    init(userID: UUID, scopeType: String, scopeID: UUID, role: String) {
        self.$user.id = userID
        self.scopeType = scopeType
        self.scopeID = scopeID
        self.role = role
    }
}

/// A personal API token; only its SHA-256 is stored.
final class APIToken: Model, @unchecked Sendable {
    static let schema = "api_tokens"

    @ID(key: .id) var id: UUID?
    @Parent(key: "user_id") var user: User
    @Field(key: "label") var label: String
    @Field(key: "token_hash") var tokenHash: String
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @OptionalField(key: "last_used_at") var lastUsedAt: Date?
    @OptionalField(key: "revoked_at") var revokedAt: Date?

    init() {}

    /// The fields, listed: Fluent otherwise finds them by reflection on every row.
    var properties: [any AnyProperty] {
        [
            $id, $user, $label, $tokenHash, $createdAt, $lastUsedAt, $revokedAt
        ]
    }
}

/// An invitation link: whoever opens it before it expires joins with this role.
final class Invitation: Model, @unchecked Sendable {
    static let schema = "invitations"

    @ID(key: .id) var id: UUID?
    @Field(key: "token_hash") var tokenHash: String
    @Field(key: "email") var email: String
    @OptionalField(key: "scope_type") var scopeType: String?
    @OptionalField(key: "scope_id") var scopeID: UUID?
    @OptionalField(key: "role") var role: String?
    @Field(key: "invited_by") var invitedBy: UUID
    @Field(key: "expires_at") var expiresAt: Date
    @OptionalField(key: "accepted_at") var acceptedAt: Date?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    init() {}

    /// The fields, listed: Fluent otherwise finds them by reflection on every row.
    var properties: [any AnyProperty] {
        [
            $id, $tokenHash, $email, $scopeType, $scopeID, $role, $invitedBy, $expiresAt, $acceptedAt,
            $createdAt
        ]
    }
}

/// A single-use, expiring password reset.
final class PasswordReset: Model, @unchecked Sendable {
    static let schema = "password_resets"

    @ID(key: .id) var id: UUID?
    @Parent(key: "user_id") var user: User
    @Field(key: "token_hash") var tokenHash: String
    @Field(key: "expires_at") var expiresAt: Date
    @OptionalField(key: "used_at") var usedAt: Date?

    init() {}

    /// The fields, listed: Fluent otherwise finds them by reflection on every row.
    var properties: [any AnyProperty] {
        [
            $id, $user, $tokenHash, $expiresAt, $usedAt
        ]
    }
}

/// One sign-in attempt, for throttling by account and by address.
final class LoginAttempt: Model, @unchecked Sendable {
    static let schema = "login_attempts"

    @ID(key: .id) var id: UUID?
    @Field(key: "email") var email: String
    @Field(key: "address") var address: String
    @Field(key: "succeeded") var succeeded: Bool
    @Field(key: "at") var at: Date

    init() {}

    /// The fields, listed: Fluent otherwise finds them by reflection on every row.
    var properties: [any AnyProperty] {
        [
            $id, $email, $address, $succeeded, $at
        ]
    }

    init(email: String, address: String, succeeded: Bool, at: Date = Date()) {
        self.email = email
        self.address = address
        self.succeeded = succeeded
        self.at = at
    }
}
