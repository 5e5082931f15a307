import Fluent
import Foundation
import Vapor

/// `labatlas user create --email E --name N [--admin] --password-stdin`
struct UserCommand: AsyncCommandGroup {
    var commands: [String: any AnyAsyncCommand] = ["create": UserCreateCommand()]
    var help: String { "Manages accounts." }
}

struct UserCreateCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "email", help: "E-mail address of the account") var email: String?
        @Option(name: "name", help: "Display name") var name: String?
        @Flag(name: "admin", help: "Make the account a site administrator") var admin: Bool
        @Flag(name: "password-stdin", help: "Read the password from standard input") var passwordStdin: Bool
    }
    var help: String { "Creates an account." }

    func run(using context: CommandContext, signature: Signature) async throws {
        guard let email = signature.email, let name = signature.name else {
            throw CommandFailure("user create: --email and --name are required")
        }
        guard signature.passwordStdin else {
            throw CommandFailure("user create: give the password on standard input with --password-stdin")
        }
        guard let password = readLine(strippingNewline: true), !password.isEmpty else {
            throw CommandFailure("user create: no password on standard input")
        }
        let app = context.application
        try await app.migrateSafely()
        do {
            let user = try await AccountService(database: app.db, application: app)
                .createUser(email: email, name: name, password: password, isAdmin: signature.admin)
            context.console.print("Compte créé : \(user.email)\(user.isAdmin ? " (administrateur)" : "")")
        } catch let failure as ValidationFailure {
            throw CommandFailure("user create: " + failure.errors.map { "--\($0.field): \($0.message)" }.joined(separator: "; "))
        }
    }
}

/// `labatlas token create --email E [--label L]`
struct TokenCommand: AsyncCommandGroup {
    var commands: [String: any AnyAsyncCommand] = ["create": TokenCreateCommand()]
    var help: String { "Manages personal API tokens." }
}

struct TokenCreateCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "email", help: "E-mail address of the account") var email: String?
        @Option(name: "label", help: "What the token is for") var label: String?
    }
    var help: String { "Prints a new personal API token for an account." }

    func run(using context: CommandContext, signature: Signature) async throws {
        guard let email = signature.email else { throw CommandFailure("token create: --email is required") }
        let app = context.application
        try await app.migrateSafely()
        guard let user = try await User.query(on: app.db).filter(\.$email == User.normalise(email: email)).first() else {
            throw CommandFailure("token create: no account for \(email)")
        }
        let (token, _) = try await AccountService(database: app.db, application: app)
            .createToken(for: user, label: signature.label ?? "Jeton en ligne de commande")
        context.console.print(token)
    }
}

/// A command error: one line on standard error, non-zero exit.
struct CommandFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
