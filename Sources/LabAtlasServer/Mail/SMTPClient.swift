import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import NIOSSL

/// One plain-text e-mail to one recipient.
struct MailMessage: Sendable, Equatable {
    /// `local@domain`, or `Name <local@domain>`.
    var to: String
    var subject: String
    var body: String

    init(to: String, subject: String, body: String) {
        self.to = to
        self.subject = subject
        self.body = body
    }
}

/// Why a message could not be sent. Every protocol failure names the SMTP step
/// and repeats the server's reply.
enum SMTPError: Error, Equatable, CustomStringConvertible, LocalizedError {
    /// A header field contains a line break (header injection).
    case headerInjection(field: String)
    case invalidAddress(field: String, value: String)
    case invalidContent(field: String)
    case connectionFailed(host: String, port: Int, reason: String)
    case unexpectedReply(step: String, code: Int, text: String)
    case malformedReply(step: String, detail: String)
    case connectionClosed(step: String)
    case transport(step: String, reason: String)
    case startTLSUnavailable
    case dataAfterSTARTTLS
    case authenticationUnavailable(offered: [String])
    case smtpUTF8Unavailable
    case timedOut(seconds: Double)

    var description: String {
        switch self {
        case .headerInjection(let field):
            return "E-mail refused: the \(field) contains a line break"
        case .invalidAddress(let field, let value):
            return "E-mail refused: invalid \(field) address “\(value)”"
        case .invalidContent(let field):
            return "E-mail refused: the \(field) contains control characters"
        case .connectionFailed(let host, let port, let reason):
            return "SMTP connect to \(host):\(port) failed: \(reason)"
        case .unexpectedReply(let step, let code, let text):
            return "SMTP \(step) failed: the server replied \(code) \(text)"
        case .malformedReply(let step, let detail):
            return "SMTP \(step) failed: malformed reply from the server (\(detail))"
        case .connectionClosed(let step):
            return "SMTP \(step) failed: the server closed the connection"
        case .transport(let step, let reason):
            return "SMTP \(step) failed: \(reason)"
        case .startTLSUnavailable:
            return "SMTP STARTTLS failed: the server does not offer STARTTLS, which SMTP_URL requires (starttls=required)"
        case .dataAfterSTARTTLS:
            return "SMTP STARTTLS failed: the server sent unexpected data before the TLS handshake"
        case .authenticationUnavailable(let offered):
            let list = offered.isEmpty ? "none" : offered.joined(separator: ", ")
            return "SMTP AUTH failed: credentials are configured but the server offers neither PLAIN nor LOGIN (offered: \(list))"
        case .smtpUTF8Unavailable:
            return "SMTP MAIL FROM failed: a non-ASCII address needs SMTPUTF8, which the server does not offer"
        case .timedOut(let seconds):
            return "SMTP failed: no complete exchange within \(seconds) s"
        }
    }

    var errorDescription: String? { description }
}

/// A small SMTP client (RFC 5321) on SwiftNIO: STARTTLS or implicit TLS,
/// AUTH PLAIN / LOGIN, one message per connection.
struct SMTPClient: Sendable {
    let url: SMTPURL
    let eventLoopGroup: any EventLoopGroup
    let timeout: TimeAmount
    /// Replaces the TLS settings derived from the URL (tests, private CAs).
    let tlsConfiguration: TLSConfiguration?

    init(url: SMTPURL, eventLoopGroup: any EventLoopGroup, timeout: TimeAmount = .seconds(20),
         tlsConfiguration: TLSConfiguration? = nil) {
        self.url = url
        self.eventLoopGroup = eventLoopGroup
        self.timeout = timeout
        self.tlsConfiguration = tlsConfiguration
    }

    /// Sends the message, or throws an `SMTPError` (an `SMTPError.timedOut` when
    /// the whole exchange takes longer than `timeout`).
    func send(_ message: MailMessage) async throws {
        let mail = try PreparedMail(message, from: url.from)
        let accepted = NIOLockedValueBox(false)
        let timeout = self.timeout
        do {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await self.deliver(mail, accepted: accepted) }
                group.addTask {
                    try await Task.sleep(nanoseconds: UInt64(max(0, timeout.nanoseconds)))
                    throw SMTPError.timedOut(seconds: Double(timeout.nanoseconds) / 1e9)
                }
                defer { group.cancelAll() }
                _ = try await group.next()
            }
        } catch {
            // Once the server has taken the message, a slow QUIT is no failure.
            if accepted.withLockedValue({ $0 }) { return }
            throw error
        }
    }

    // MARK: - Connection

    private var serverHostname: String? {
        (try? SocketAddress(ipAddress: url.host, port: 0)) == nil ? url.host : nil
    }

    private func makeTLSContext(verify: Bool) throws -> NIOSSLContext {
        var configuration = tlsConfiguration ?? TLSConfiguration.makeClientConfiguration()
        if tlsConfiguration == nil, !verify { configuration.certificateVerification = .none }
        return try NIOSSLContext(configuration: configuration)
    }

    private func deliver(_ mail: PreparedMail, accepted: NIOLockedValueBox<Bool>) async throws {
        let host = url.host, port = url.port, hostname = serverHostname
        let implicitTLS: NIOSSLContext?
        do {
            implicitTLS = url.security == .implicitTLS ? try makeTLSContext(verify: true) : nil
        } catch {
            throw SMTPError.connectionFailed(host: host, port: port, reason: "TLS setup: \(error)")
        }

        let asyncChannel: NIOAsyncChannel<SMTPReply, ByteBuffer>
        do {
            asyncChannel = try await ClientBootstrap(group: eventLoopGroup)
                .connectTimeout(timeout)
                .connect(host: host, port: port) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        if let implicitTLS {
                            try channel.pipeline.syncOperations.addHandler(
                                NIOSSLClientHandler(context: implicitTLS, serverHostname: hostname))
                        }
                        try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(SMTPReplyDecoder()))
                        return try NIOAsyncChannel<SMTPReply, ByteBuffer>(wrappingChannelSynchronously: channel)
                    }
                }
        } catch {
            throw SMTPError.connectionFailed(host: host, port: port, reason: "\(error)")
        }

        let channel = asyncChannel.channel
        try await asyncChannel.executeThenClose { inbound, outbound in
            try await withTaskCancellationHandler {
                var session = SMTPSession(channel: channel, replies: inbound.makeAsyncIterator(), outbound: outbound)
                do {
                    try await converse(&session, mail: mail, accepted: accepted)
                } catch let error as SMTPError {
                    if case .unexpectedReply = error { try? await session.write("QUIT\r\n") }
                    throw error
                }
            } onCancel: {
                channel.close(promise: nil)
            }
        }
    }

    private func converse(_ session: inout SMTPSession, mail: PreparedMail,
                          accepted: NIOLockedValueBox<Bool>) async throws {
        _ = try await session.expect(step: "greeting", [220])
        let heloName = Self.heloName(local: session.channel.localAddress)
        var extensions = try await hello(&session, name: heloName)

        switch url.security {
        case .startTLSRequired, .startTLSIfAvailable:
            if extensions.has("STARTTLS") {
                let reply = try await session.command("STARTTLS", step: "STARTTLS", expect: [220])
                if reply.followedByData { throw SMTPError.dataAfterSTARTTLS }
                let context: NIOSSLContext
                do {
                    context = try makeTLSContext(verify: url.security == .startTLSRequired)
                } catch {
                    throw SMTPError.transport(step: "STARTTLS", reason: "TLS setup: \(error)")
                }
                let channel = session.channel, hostname = serverHostname
                do {
                    try await channel.eventLoop.submit {
                        try channel.pipeline.syncOperations.addHandler(
                            NIOSSLClientHandler(context: context, serverHostname: hostname), position: .first)
                    }.get()
                } catch {
                    throw SMTPError.transport(step: "STARTTLS", reason: "\(error)")
                }
                extensions = try await hello(&session, name: heloName, afterTLS: true)
            } else if url.security == .startTLSRequired {
                throw SMTPError.startTLSUnavailable
            }
        case .plain, .implicitTLS:
            break
        }

        if let user = url.username {
            try await authenticate(&session, user: user, password: url.password ?? "", extensions: extensions)
        }

        var parameters = ""
        let encoding = mail.transferEncoding(eightBitMIME: extensions.has("8BITMIME"))
        if encoding == .eightBit { parameters += " BODY=8BITMIME" }
        if mail.needsSMTPUTF8 {
            guard extensions.has("SMTPUTF8") else { throw SMTPError.smtpUTF8Unavailable }
            parameters += " SMTPUTF8"
        }
        try await session.command("MAIL FROM:<\(mail.from.address)>\(parameters)", step: "MAIL FROM", expect: [250])
        try await session.command("RCPT TO:<\(mail.to.address)>", step: "RCPT TO", expect: [250, 251])
        try await session.command("DATA", step: "DATA", expect: [354])
        let wire = SMTPEncoding.dotStuffed(mail.render(encoding: encoding, date: Date(), messageID: mail.makeMessageID()))
        try await session.write(wire + ".\r\n", step: "DATA")
        _ = try await session.expect(step: "end of DATA", [250])
        accepted.withLockedValue { $0 = true }

        try? await session.write("QUIT\r\n", step: "QUIT")
        _ = try? await session.read(step: "QUIT")
    }

    /// EHLO, or HELO when the server refuses EHLO (then no extension is used).
    private func hello(_ session: inout SMTPSession, name: String, afterTLS: Bool = false) async throws -> SMTPExtensions {
        let reply = try await session.command("EHLO \(name)", step: afterTLS ? "EHLO after STARTTLS" : "EHLO", expect: nil)
        if reply.code == 250 { return SMTPExtensions(ehloReply: reply) }
        guard (500...599).contains(reply.code), !afterTLS else {
            throw SMTPError.unexpectedReply(step: afterTLS ? "EHLO after STARTTLS" : "EHLO", code: reply.code, text: reply.text)
        }
        try await session.command("HELO \(name)", step: "HELO", expect: [250])
        return SMTPExtensions()
    }

    private func authenticate(_ session: inout SMTPSession, user: String, password: String,
                              extensions: SMTPExtensions) async throws {
        let mechanisms = extensions.authMechanisms
        if mechanisms.contains("PLAIN") {
            let token = Data(([0] + Array(user.utf8) + [0] + Array(password.utf8))).base64EncodedString()
            let reply = try await session.command("AUTH PLAIN \(token)", step: "AUTH PLAIN", expect: [235, 334])
            if reply.code == 334 {
                // A server that ignored the initial response asks again.
                try await session.command(token, step: "AUTH PLAIN", expect: [235])
            }
        } else if mechanisms.contains("LOGIN") {
            try await session.command("AUTH LOGIN", step: "AUTH LOGIN", expect: [334])
            try await session.command(Data(user.utf8).base64EncodedString(), step: "AUTH LOGIN (user)", expect: [334])
            try await session.command(Data(password.utf8).base64EncodedString(), step: "AUTH LOGIN (password)", expect: [235])
        } else {
            throw SMTPError.authenticationUnavailable(offered: mechanisms)
        }
    }

    /// A fully qualified host name when the system has one, else the local
    /// address literal (RFC 5321 §4.1.4).
    static func heloName(local: SocketAddress?, hostName: String = systemHostName) -> String {
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-.")
        if hostName.contains("."), !hostName.hasPrefix("."), !hostName.hasSuffix("."), hostName.count <= 253,
           hostName.allSatisfy(allowed.contains), (try? SocketAddress(ipAddress: hostName, port: 0)) == nil {
            return hostName
        }
        if let local, let ip = local.ipAddress {
            return local.protocol == .inet6 ? "[IPv6:\(ip)]" : "[\(ip)]"
        }
        return "localhost"
    }

    /// Looked up once per process.
    static let systemHostName = ProcessInfo.processInfo.hostName
}

// MARK: - Replies

/// One complete (possibly multi-line) server reply.
struct SMTPReply: Sendable, Equatable {
    var code: Int
    /// The text of each line, without the code and separator.
    var lines: [String]
    /// Whether more bytes had already arrived after this reply.
    var followedByData = false

    var text: String { lines.filter { !$0.isEmpty }.joined(separator: " / ") }
}

/// Splits the byte stream into replies: `250-first`, `250-second`, `250 last`.
struct SMTPReplyDecoder: ByteToMessageDecoder {
    typealias InboundOut = SMTPReply

    struct Malformed: Error, CustomStringConvertible {
        var description: String
    }

    static let maximumLineLength = 8192
    static let maximumLines = 1000

    private var code: Int?
    private var lines: [String] = []

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let newline = buffer.readableBytesView.firstIndex(of: UInt8(ascii: "\n")) else {
            if buffer.readableBytes > Self.maximumLineLength { throw Malformed(description: "line too long") }
            return .needMoreData
        }
        var bytes = buffer.readBytes(length: newline - buffer.readerIndex + 1)!
        bytes.removeLast()
        if bytes.last == UInt8(ascii: "\r") { bytes.removeLast() }
        guard bytes.count <= Self.maximumLineLength else { throw Malformed(description: "line too long") }
        guard bytes.count >= 3, bytes[0..<3].allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }),
              (2...5).contains(bytes[0] - UInt8(ascii: "0"))
        else { throw Malformed(description: "“\(Self.printable(bytes))”") }
        let code = Int(String(decoding: bytes[0..<3], as: UTF8.self))!
        let separator = bytes.count > 3 ? bytes[3] : UInt8(ascii: " ")
        guard separator == UInt8(ascii: " ") || separator == UInt8(ascii: "-") else {
            throw Malformed(description: "“\(Self.printable(bytes))”")
        }
        if let previous = self.code, previous != code {
            throw Malformed(description: "code \(code) inside a \(previous) reply")
        }
        self.code = code
        lines.append(bytes.count > 4 ? Self.printable(bytes[4...]) : "")
        guard lines.count <= Self.maximumLines else { throw Malformed(description: "too many lines") }

        if separator == UInt8(ascii: " ") {
            let reply = SMTPReply(code: code, lines: lines, followedByData: buffer.readableBytes > 0)
            self.code = nil
            lines = []
            context.fireChannelRead(wrapInboundOut(reply))
        }
        return .continue
    }

    mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws -> DecodingState {
        while try decode(context: context, buffer: &buffer) == .continue {}
        return .needMoreData
    }

    private static func printable(_ bytes: some Collection<UInt8>) -> String {
        String(decoding: bytes, as: UTF8.self).unicodeScalars
            .map { $0.properties.generalCategory == .control ? "?" : String($0) }.joined()
    }
}

/// The extensions announced in an EHLO reply.
struct SMTPExtensions: Sendable {
    private var keywords: [String: [String]] = [:]

    init() {}

    init(ehloReply: SMTPReply) {
        for line in ehloReply.lines.dropFirst() {
            var words = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
            guard !words.isEmpty else { continue }
            var keyword = words.removeFirst().uppercased()
            if keyword.hasPrefix("AUTH=") {  // the pre-standard form "AUTH=LOGIN PLAIN"
                words.insert(String(keyword.dropFirst(5)), at: 0)
                keyword = "AUTH"
            }
            keywords[keyword, default: []] += words
        }
    }

    func has(_ keyword: String) -> Bool { keywords[keyword] != nil }

    var authMechanisms: [String] {
        var seen = Set<String>()
        return (keywords["AUTH"] ?? []).map { $0.uppercased() }.filter { !$0.isEmpty && seen.insert($0).inserted }
    }
}

/// The reading and writing side of one connection.
private struct SMTPSession {
    let channel: any Channel
    var replies: NIOAsyncChannelInboundStream<SMTPReply>.AsyncIterator
    let outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>

    mutating func read(step: String) async throws -> SMTPReply {
        let reply: SMTPReply?
        do {
            reply = try await replies.next()
        } catch let error as SMTPReplyDecoder.Malformed {
            throw SMTPError.malformedReply(step: step, detail: error.description)
        } catch {
            throw SMTPError.transport(step: step, reason: "\(error)")
        }
        guard let reply else { throw SMTPError.connectionClosed(step: step) }
        return reply
    }

    func write(_ text: String, step: String = "QUIT") async throws {
        do {
            try await outbound.write(ByteBuffer(string: text))
        } catch {
            throw SMTPError.transport(step: step, reason: "\(error)")
        }
    }

    mutating func expect(step: String, _ codes: Set<Int>) async throws -> SMTPReply {
        let reply = try await read(step: step)
        guard codes.contains(reply.code) else {
            throw SMTPError.unexpectedReply(step: step, code: reply.code, text: reply.text)
        }
        return reply
    }

    /// Sends one command line and reads its reply; `expect: nil` accepts any code.
    @discardableResult
    mutating func command(_ line: String, step: String, expect codes: Set<Int>?) async throws -> SMTPReply {
        try await write(line + "\r\n", step: step)
        guard let codes else { return try await read(step: step) }
        return try await expect(step: step, codes)
    }
}

// MARK: - Message

/// A message checked and ready to be rendered.
struct PreparedMail: Sendable {
    enum TransferEncoding: String, Sendable {
        case sevenBit = "7bit"
        case eightBit = "8bit"
        case quotedPrintable = "quoted-printable"
    }

    let from: SMTPMailbox
    let to: SMTPMailbox
    let subject: String
    /// The body's lines, without line terminators.
    let bodyLines: [String]

    init(_ message: MailMessage, from: SMTPMailbox) throws {
        if message.to.unicodeScalars.contains(where: { $0 == "\r" || $0 == "\n" }) {
            throw SMTPError.headerInjection(field: "recipient")
        }
        if message.subject.unicodeScalars.contains(where: { $0 == "\r" || $0 == "\n" }) {
            throw SMTPError.headerInjection(field: "subject")
        }
        if message.subject.unicodeScalars.contains(where: { $0.properties.generalCategory == .control && $0 != "\t" }) {
            throw SMTPError.invalidContent(field: "subject")
        }
        do {
            to = try SMTPMailbox(parsing: message.to)
        } catch {
            throw SMTPError.invalidAddress(field: "recipient", value: message.to)
        }
        self.from = from
        self.subject = message.subject
        let normalized = message.body.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
        var lines = normalized.components(separatedBy: "\n")
        if lines.count > 1, lines.last == "" { lines.removeLast() }
        bodyLines = lines
    }

    var needsSMTPUTF8: Bool { !from.isASCII || !to.isASCII }

    func transferEncoding(eightBitMIME: Bool) -> TransferEncoding {
        let fitsInLines = bodyLines.allSatisfy { $0.utf8.count <= 998 }
        let noControls = bodyLines.allSatisfy { line in
            line.unicodeScalars.allSatisfy { $0 == "\t" || $0.properties.generalCategory != .control }
        }
        guard fitsInLines, noControls else { return .quotedPrintable }
        if bodyLines.allSatisfy({ $0.unicodeScalars.allSatisfy(\.isASCII) }) { return .sevenBit }
        return eightBitMIME ? .eightBit : .quotedPrintable
    }

    func makeMessageID() -> String {
        "<\(UUID().uuidString.lowercased())@\(from.domain)>"
    }

    /// Header and body, CRLF-terminated lines, not yet dot-stuffed.
    func render(encoding: TransferEncoding, date: Date, messageID: String) -> String {
        var headers = [
            "From: " + SMTPEncoding.mailbox(from),
            "To: " + SMTPEncoding.mailbox(to),
            "Subject: " + SMTPEncoding.headerText(subject),
            "Date: " + SMTPEncoding.rfc5322Date(date),
            "Message-ID: " + messageID,
            "MIME-Version: 1.0",
            "Content-Type: text/plain; charset=utf-8",
            "Content-Transfer-Encoding: " + encoding.rawValue,
            "Auto-Submitted: auto-generated",
        ]
        headers.append("")
        let body: [String]
        switch encoding {
        case .sevenBit, .eightBit: body = bodyLines
        case .quotedPrintable: body = bodyLines.map(SMTPEncoding.quotedPrintable)
        }
        return (headers + body).map { $0 + "\r\n" }.joined()
    }
}

/// The encodings a message needs on the wire.
enum SMTPEncoding {
    /// Doubles the dot of every line that starts with one (RFC 5321 §4.5.2).
    static func dotStuffed(_ text: String) -> String {
        var result = text.hasPrefix(".") ? "." : ""
        result += text.replacingOccurrences(of: "\r\n.", with: "\r\n..")
        return result
    }

    /// ASCII text as is; anything else as RFC 2047 UTF-8 base64 encoded words
    /// (at most 75 characters each, never splitting a character).
    static func headerText(_ text: String) -> String {
        let plain = text.unicodeScalars.allSatisfy { $0.isASCII && ($0.value >= 32 || $0 == "\t") && $0.value != 127 }
        if plain, text.utf8.count <= 900, !text.contains("=?") { return text }
        var words: [String] = []
        var chunk: [UInt8] = []
        for scalar in text.unicodeScalars {
            let bytes = Array(String(scalar).utf8)
            if chunk.count + bytes.count > 45 {
                words.append(encodedWord(chunk))
                chunk = []
            }
            chunk += bytes
        }
        if !chunk.isEmpty || words.isEmpty { words.append(encodedWord(chunk)) }
        return words.joined(separator: "\r\n ")
    }

    private static func encodedWord(_ bytes: [UInt8]) -> String {
        "=?UTF-8?B?" + Data(bytes).base64EncodedString() + "?="
    }

    /// `address`, `Name <address>`, `"Name, Inc." <address>` or `=?UTF-8?B?…?= <address>`.
    static func mailbox(_ mailbox: SMTPMailbox) -> String {
        guard let name = mailbox.displayName, !name.isEmpty else { return mailbox.address }
        let atext = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&'*+-/=?^_`{|}~ ")
        let display: String
        if !name.unicodeScalars.allSatisfy({ $0.isASCII && $0.value >= 32 && $0.value != 127 }) {
            display = headerText(name)
        } else if name.allSatisfy(atext.contains), !name.contains("=?") {
            display = name
        } else {
            display = "\"" + name.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
        }
        return "\(display) <\(mailbox.address)>"
    }

    /// One line of quoted-printable text (RFC 2045 §6.7), soft-broken at 76 characters.
    static func quotedPrintable(_ line: String) -> String {
        let bytes = Array(line.utf8)
        var output = ""
        var length = 0
        for (index, byte) in bytes.enumerated() {
            let isLast = index == bytes.count - 1
            let token: String
            if (byte == 0x20 || byte == 0x09) && !isLast {
                token = String(UnicodeScalar(byte))
            } else if byte >= 33, byte <= 126, byte != UInt8(ascii: "=") {
                token = String(UnicodeScalar(byte))
            } else {
                token = "=" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2)
            }
            if length + token.count > 75 {
                output += "=\r\n"
                length = 0
            }
            output += token
            length += token.count
        }
        return output
    }

    /// `Tue, 01 Jul 2025 09:05:03 +0000`.
    static func rfc5322Date(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second, .weekday], from: date)
        let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        func two(_ value: Int?) -> String { String(value ?? 0).leftPadded(to: 2) }
        return "\(days[(c.weekday ?? 1) - 1]), \(two(c.day)) \(months[(c.month ?? 1) - 1]) \(c.year ?? 1970) "
            + "\(two(c.hour)):\(two(c.minute)):\(two(c.second)) +0000"
    }
}

private extension String {
    func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
