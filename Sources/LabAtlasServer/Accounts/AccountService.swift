import Fluent
import Foundation
import Vapor
import LabAtlasCore

/// Creating accounts, checking passwords, tokens, resets and invitations:
/// shared by the pages, the API and the command line.
struct AccountService {
    let database: any Database
    /// Bcrypt cost: 12 in production; the test suite lowers it to keep tests fast.
    var bcryptCost: Int = 12

    static let minimumPasswordLength = 12

    init(database: any Database, application: Application) {
        self.database = database
        self.bcryptCost = application.storage[BcryptCostKey.self] ?? 12
    }

    static func passwordProblem(_ password: String) -> String? {
        if password.count < minimumPasswordLength {
            return "Le mot de passe doit compter au moins \(minimumPasswordLength) caractères."
        }
        if password.count > 200 { return "Le mot de passe ne peut dépasser 200 caractères." }
        return nil
    }

    func hash(_ password: String) async throws -> String { try await PasswordHashing.hash(password, cost: bcryptCost) }

    func createUser(email: String, name: String, password: String, isAdmin: Bool = false) async throws -> User {
        var errors: [FieldError] = []
        let normalised = User.normalise(email: email)
        if !WebLink.isSafeEmail(normalised) || normalised.count > 254 { errors.append(FieldError("email", "Adresse électronique invalide.")) }
        if name.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { errors.append(FieldError("name", "Indiquez votre nom.")) }
        if let problem = Self.passwordProblem(password) { errors.append(FieldError("password", problem)) }
        if errors.isEmpty, try await User.query(on: database).filter(\.$email == normalised).count() > 0 {
            errors.append(FieldError("email", "Un compte existe déjà pour cette adresse."))
        }
        guard errors.isEmpty else { throw ValidationFailure(errors: errors) }
        let user = User(email: normalised, name: name.trimmingCharacters(in: .whitespacesAndNewlines),
                        passwordHash: try await hash(password), isAdmin: isAdmin)
        try await user.create(on: database)
        return user
    }

    /// The account when the password matches; nil otherwise (same time either way).
    func authenticate(email: String, password: String) async throws -> User? {
        let user = try await User.query(on: database).filter(\.$email == User.normalise(email: email)).first()
        guard let user else {
            // Spend the time a real check would, so timing does not tell which e-mails exist.
            _ = try? await PasswordHashing.verify(password, created: Self.decoyHash)
            return nil
        }
        return try await PasswordHashing.verify(password, created: user.passwordHash) ? user : nil
    }

    static let decoyHash = "$2b$12$C6UzMDM.H6dfI/f/IKcEeO5VkPnCo2HLPlKE/nJuTb7oK9Ht0s7AC"

    func setPassword(_ user: User, to password: String) async throws {
        if let problem = Self.passwordProblem(password) { throw ValidationFailure(errors: [FieldError("password", problem)]) }
        user.passwordHash = try await hash(password)
        try await user.save(on: database)
    }

    /// A new personal API token; the clear value is returned once and never stored.
    func createToken(for user: User, label: String) async throws -> (token: String, record: APIToken) {
        let clear = Secrets.newToken(prefix: "la_")
        let record = APIToken()
        record.$user.id = try user.requireID()
        record.label = label.nonBlank ?? "Jeton personnel"
        record.tokenHash = Secrets.hash(clear)
        try await record.create(on: database)
        return (clear, record)
    }

    /// A single-use reset link valid one hour.
    func createPasswordReset(for user: User) async throws -> String {
        let clear = Secrets.newToken()
        let reset = PasswordReset()
        reset.$user.id = try user.requireID()
        reset.tokenHash = Secrets.hash(clear)
        reset.expiresAt = Date().addingTimeInterval(3600)
        try await reset.create(on: database)
        return clear
    }

    func validReset(_ token: String) async throws -> PasswordReset? {
        try await PasswordReset.query(on: database)
            .filter(\.$tokenHash == Secrets.hash(token)).filter(\.$usedAt == nil).filter(\.$expiresAt > Date())
            .with(\.$user).first()
    }

    /// An invitation link valid 14 days.
    func createInvitation(email: String, scope: (type: ItemType, id: UUID)?, role: String?, invitedBy: UUID) async throws -> String {
        let normalised = User.normalise(email: email)
        guard WebLink.isSafeEmail(normalised) else {
            throw ValidationFailure(errors: [FieldError("email", "Adresse électronique invalide.")])
        }
        let clear = Secrets.newToken()
        let invitation = Invitation()
        invitation.tokenHash = Secrets.hash(clear)
        invitation.email = normalised
        invitation.scopeType = scope?.type.rawValue
        invitation.scopeID = scope?.id
        invitation.role = role
        invitation.invitedBy = invitedBy
        invitation.expiresAt = Date().addingTimeInterval(14 * 24 * 3600)
        try await invitation.create(on: database)
        return clear
    }

    func validInvitation(_ token: String) async throws -> Invitation? {
        try await Invitation.query(on: database)
            .filter(\.$tokenHash == Secrets.hash(token)).filter(\.$acceptedAt == nil).filter(\.$expiresAt > Date()).first()
    }

    /// Gives the invited role to `user` and uses the invitation up.
    func accept(_ invitation: Invitation, by user: User) async throws {
        let userID = try user.requireID()
        try await database.writeTransaction { transaction in
            if let type = invitation.scopeType, let scopeID = invitation.scopeID, let role = invitation.role {
                if let existing = try await Membership.query(on: transaction).filter(\.$user.$id == userID)
                    .filter(\.$scopeType == type).filter(\.$scopeID == scopeID).first() {
                    existing.role = role
                    try await existing.save(on: transaction)
                } else {
                    try await Membership(userID: userID, scopeType: type, scopeID: scopeID, role: role).create(on: transaction)
                }
            }
            invitation.acceptedAt = Date()
            try await invitation.save(on: transaction)
        }
    }

    func addMembership(user: User, scope: (type: ItemType, id: UUID), role: String) async throws {
        let userID = try user.requireID()
        if let existing = try await Membership.query(on: database).filter(\.$user.$id == userID)
            .filter(\.$scopeType == scope.type.rawValue).filter(\.$scopeID == scope.id).first() {
            existing.role = role
            try await existing.save(on: database)
        } else {
            try await Membership(userID: userID, scopeType: scope.type.rawValue, scopeID: scope.id, role: role).create(on: database)
        }
    }
}

struct BcryptCostKey: StorageKey {
    typealias Value = Int
}
