import Foundation

/// Where and how to send e-mail, parsed from the `SMTP_URL` setting:
///
/// - `smtp://[user[:password]@]host[:port]` — port 25 by default; STARTTLS is used
///   when the server offers it (`?starttls=required` refuses to go on without it,
///   `?starttls=never` never tries it);
/// - `smtps://[user[:password]@]host[:port]` — implicit TLS, port 465 by default.
///
/// User and password are percent-decoded (write `@` as `%40`, `:` as `%3A`).
/// `?from=address` (or `?from=Name%20%3Caddress%3E`) sets the sender; the default
/// is `labatlas@<host>`.
struct SMTPURL: Sendable, Equatable, CustomStringConvertible {
    enum Security: String, Sendable, Equatable {
        /// Plain connection, upgraded with STARTTLS when the server offers it
        /// (opportunistic encryption, RFC 7435: the certificate is not verified).
        case startTLSIfAvailable
        /// Plain connection that must be upgraded with STARTTLS (certificate verified).
        case startTLSRequired
        /// Plain connection, never upgraded.
        case plain
        /// TLS from the first byte (`smtps://`, certificate verified).
        case implicitTLS
    }

    var host: String
    var port: Int
    var security: Security
    var username: String?
    var password: String?
    /// The sender, as written in the `From:` header.
    var from: SMTPMailbox

    init(host: String, port: Int, security: Security, username: String? = nil, password: String? = nil,
         from: SMTPMailbox) {
        self.host = host
        self.port = port
        self.security = security
        self.username = username
        self.password = password
        self.from = from
    }

    /// Parses an `SMTP_URL` value; the errors never repeat the password.
    init(string: String) throws(SMTPURLError) {
        let text = string.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !text.isEmpty else { throw .empty }
        guard let components = URLComponents(string: text), let rawScheme = components.scheme else {
            throw .notAURL
        }
        let scheme = rawScheme.lowercased()
        let implicitTLS: Bool
        switch scheme {
        case "smtp": implicitTLS = false
        case "smtps": implicitTLS = true
        default: throw .unsupportedScheme(rawScheme)
        }

        var host = components.percentEncodedHost ?? ""
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        host = host.removingPercentEncoding ?? host
        guard !host.isEmpty else { throw .missingHost }
        guard host.unicodeScalars.allSatisfy({ $0.isASCII && $0.value > 32 && $0.value != 127 }),
              !host.contains("/"), !host.contains("@")
        else { throw .invalidHost(host) }

        let port = components.port ?? (implicitTLS ? 465 : 25)
        guard (1...65_535).contains(port) else { throw .invalidPort(port) }

        let path = components.percentEncodedPath
        guard path.isEmpty || path == "/" else { throw .unexpectedPath(path) }
        guard components.fragment == nil else { throw .unexpectedFragment }

        var username: String?
        var password: String?
        if let rawUser = components.percentEncodedUser {
            guard let user = rawUser.removingPercentEncoding else { throw .invalidPercentEncoding("user") }
            username = user
        }
        if let rawPassword = components.percentEncodedPassword {
            guard let decoded = rawPassword.removingPercentEncoding else { throw .invalidPercentEncoding("password") }
            password = decoded
        }
        if password != nil, username?.isEmpty ?? true { throw .passwordWithoutUser }
        if let user = username, user.isEmpty { username = nil }
        if username != nil, password == nil { password = "" }

        var security: Security = implicitTLS ? .implicitTLS : .startTLSIfAvailable
        var from: SMTPMailbox?
        var seen = Set<String>()
        for item in components.queryItems ?? [] {
            let name = item.name.lowercased()
            guard seen.insert(name).inserted else { throw .repeatedParameter(item.name) }
            let value = item.value ?? ""
            switch name {
            case "starttls":
                guard !implicitTLS else { throw .startTLSWithImplicitTLS }
                switch value.lowercased() {
                case "required", "require", "true", "yes": security = .startTLSRequired
                case "auto", "opportunistic", "": security = .startTLSIfAvailable
                case "never", "false", "no", "off": security = .plain
                default: throw .invalidStartTLS(value)
                }
            case "from":
                do { from = try SMTPMailbox(parsing: value) } catch { throw .invalidFrom(value) }
            default:
                throw .unknownParameter(item.name)
            }
        }

        let defaultFrom: SMTPMailbox
        let domain = host.contains(":") ? "[IPv6:\(host)]" : host
        do { defaultFrom = try SMTPMailbox(parsing: "labatlas@" + domain) } catch { throw .invalidHost(host) }
        self.init(host: host, port: port, security: security, username: username, password: password,
                  from: from ?? defaultFrom)
    }

    /// The URL without its password, for logs.
    var description: String {
        let scheme = security == .implicitTLS ? "smtps" : "smtp"
        let credentials = username.map { ($0.addingPercentEncoding(withAllowedCharacters: .urlUserAllowed) ?? $0) + ":***@" } ?? ""
        let hostPart = host.contains(":") ? "[\(host)]" : host
        let query: String
        switch security {
        case .startTLSRequired: query = "?starttls=required&"
        case .plain: query = "?starttls=never&"
        case .startTLSIfAvailable, .implicitTLS: query = "?"
        }
        return "\(scheme)://\(credentials)\(hostPart):\(port)\(query)from=\(from.address)"
    }
}

/// Why an `SMTP_URL` value was refused.
enum SMTPURLError: Error, Equatable, CustomStringConvertible, LocalizedError {
    case empty
    case notAURL
    case unsupportedScheme(String)
    case missingHost
    case invalidHost(String)
    case invalidPort(Int)
    case unexpectedPath(String)
    case unexpectedFragment
    case invalidPercentEncoding(String)
    case passwordWithoutUser
    case startTLSWithImplicitTLS
    case invalidStartTLS(String)
    case invalidFrom(String)
    case unknownParameter(String)
    case repeatedParameter(String)

    private static let expected = "expected smtp://[user[:password]@]host[:port][?starttls=required][&from=address] or smtps://…"

    var description: String {
        let problem: String
        switch self {
        case .empty: problem = "it is empty"
        case .notAURL: problem = "it is not a valid URL"
        case .unsupportedScheme(let scheme): problem = "unsupported scheme “\(scheme)” (use smtp or smtps)"
        case .missingHost: problem = "the host is missing"
        case .invalidHost(let host): problem = "invalid host “\(host)”"
        case .invalidPort(let port): problem = "invalid port \(port) (1–65535)"
        case .unexpectedPath(let path): problem = "unexpected path “\(path)”"
        case .unexpectedFragment: problem = "unexpected fragment (#…)"
        case .invalidPercentEncoding(let field): problem = "invalid percent-encoding in the \(field)"
        case .passwordWithoutUser: problem = "a password is given without a user"
        case .startTLSWithImplicitTLS: problem = "starttls cannot be combined with smtps:// (which is already TLS)"
        case .invalidStartTLS(let value): problem = "invalid starttls value “\(value)” (use required, auto or never)"
        case .invalidFrom(let value): problem = "invalid from address “\(value)”"
        case .unknownParameter(let name): problem = "unknown parameter “\(name)” (only starttls and from are known)"
        case .repeatedParameter(let name): problem = "parameter “\(name)” is given twice"
        }
        return "Invalid SMTP_URL: \(problem); \(Self.expected)"
    }

    var errorDescription: String? { description }
}

/// An e-mail address, optionally with a display name (`Name <local@domain>`).
struct SMTPMailbox: Sendable, Equatable, CustomStringConvertible {
    var displayName: String?
    /// The bare address, as given to `MAIL FROM` / `RCPT TO`.
    var address: String

    enum Problem: Error, Equatable {
        case lineBreak
        case invalid
    }

    /// Accepts `local@domain` or `Display Name <local@domain>`; refuses control
    /// characters (so no header can be injected) and anything else that is not a
    /// plain address.
    init(parsing text: String) throws(Problem) {
        if text.unicodeScalars.contains(where: { $0 == "\r" || $0 == "\n" }) { throw .lineBreak }
        if text.unicodeScalars.contains(where: { $0.properties.generalCategory == .control && $0 != "\t" }) {
            throw .invalid
        }
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        var name: String?
        var address = trimmed
        if trimmed.hasSuffix(">"), let open = trimmed.lastIndex(of: "<") {
            address = String(trimmed[trimmed.index(after: open)..<trimmed.index(before: trimmed.endIndex)])
            var display = trimmed[..<open].trimmingCharacters(in: .whitespaces)
            if display.count >= 2, display.hasPrefix("\""), display.hasSuffix("\"") {
                display = String(display.dropFirst().dropLast())
                    .replacingOccurrences(of: "\\\"", with: "\"")
                    .replacingOccurrences(of: "\\\\", with: "\\")
            }
            name = display.isEmpty ? nil : display
        }
        guard Self.isPlainAddress(address) else { throw .invalid }
        self.displayName = name
        self.address = address
    }

    init(address: String, displayName: String? = nil) {
        self.address = address
        self.displayName = displayName
    }

    /// One `@`, something on both sides, no spaces, brackets or other specials.
    static func isPlainAddress(_ address: String) -> Bool {
        let parts = address.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty,
              address.utf8.count <= 254, parts[0].utf8.count <= 64 else { return false }
        let domain = parts[1]
        if domain.hasPrefix("["), domain.hasSuffix("]") {  // an address literal: [192.0.2.1], [IPv6:2001:db8::1]
            let literal = Set("0123456789abcdefABCDEFIPv:.")
            guard domain.count > 2, domain.dropFirst().dropLast().allSatisfy(literal.contains) else { return false }
            return isPlainAddress(parts[0] + "@x")
        }
        let forbidden: Set<Unicode.Scalar> = ["<", ">", "(", ")", ",", ";", ":", "\\", "\"", "[", "]"]
        for scalar in address.unicodeScalars {
            if scalar.properties.isWhitespace || scalar.properties.generalCategory == .control
                || forbidden.contains(scalar) { return false }
        }
        return !domain.hasPrefix(".") && !domain.hasSuffix(".") && !domain.contains("..")
    }

    /// The domain part, used for the `Message-ID`.
    var domain: String { String(address[address.index(after: address.lastIndex(of: "@")!)...]) }

    var isASCII: Bool { address.unicodeScalars.allSatisfy(\.isASCII) }

    var description: String {
        if let displayName { return "\(displayName) <\(address)>" }
        return address
    }
}
