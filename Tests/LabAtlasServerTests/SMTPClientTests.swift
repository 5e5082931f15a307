import Foundation
import NIOCore
import NIOPosix
import NIOSSL
import Testing
@testable import LabAtlasServer

// MARK: - SMTP_URL

@Suite("SMTP_URL parsing")
struct SMTPURLTests {
    @Test func plainURLGetsTheDefaults() throws {
        let url = try SMTPURL(string: "smtp://mail.example.org")
        #expect(url.host == "mail.example.org")
        #expect(url.port == 25)
        #expect(url.security == .startTLSIfAvailable)
        #expect(url.username == nil)
        #expect(url.password == nil)
        #expect(url.from == SMTPMailbox(address: "labatlas@mail.example.org"))
    }

    @Test func smtpsWithPercentEncodedCredentialsAndFrom() throws {
        let url = try SMTPURL(string: "smtps://user%40example.org:p%40ss%3Aw%20rd%25@smtp.example.org?from=noreply%40example.org")
        #expect(url.host == "smtp.example.org")
        #expect(url.port == 465)
        #expect(url.security == .implicitTLS)
        #expect(url.username == "user@example.org")
        #expect(url.password == "p@ss:w rd%")
        #expect(url.from == SMTPMailbox(address: "noreply@example.org"))
    }

    @Test func startTLSModesAndPort() throws {
        let required = try SMTPURL(string: "SMTP://relay:secret@relay.example.org:587?starttls=required")
        #expect(required.security == .startTLSRequired)
        #expect(required.port == 587)
        #expect(required.username == "relay")
        #expect(required.password == "secret")
        #expect(try SMTPURL(string: "smtp://localhost?starttls=never").security == .plain)
        #expect(try SMTPURL(string: "smtp://localhost?starttls=auto").security == .startTLSIfAvailable)
        #expect(try SMTPURL(string: "smtps://localhost:2465").port == 2465)
    }

    @Test func userWithoutPasswordAndIPv6Host() throws {
        let url = try SMTPURL(string: "smtp://bob@[::1]:2525")
        #expect(url.host == "::1")
        #expect(url.from.address == "labatlas@[IPv6:::1]")
        #expect(url.port == 2525)
        #expect(url.username == "bob")
        #expect(url.password == "")
    }

    @Test func fromWithDisplayName() throws {
        let url = try SMTPURL(string: "smtp://mail.example.org?from=LabAtlas%20%3Cnoreply%40example.org%3E")
        #expect(url.from == SMTPMailbox(address: "noreply@example.org", displayName: "LabAtlas"))
    }

    @Test(arguments: [
        ("", SMTPURLError.empty),
        ("http://mail.example.org", .unsupportedScheme("http")),
        ("mail.example.org", .notAURL),
        ("smtp://", .missingHost),
        ("smtp://mail.example.org:0", .invalidPort(0)),
        ("smtp://mail.example.org/inbox", .unexpectedPath("/inbox")),
        ("smtp://mail.example.org#x", .unexpectedFragment),
        ("smtp://:secret@mail.example.org", .passwordWithoutUser),
        ("smtps://mail.example.org?starttls=required", .startTLSWithImplicitTLS),
        ("smtp://mail.example.org?starttls=maybe", .invalidStartTLS("maybe")),
        ("smtp://mail.example.org?from=not-an-address", .invalidFrom("not-an-address")),
        ("smtp://mail.example.org?from=a%40b.org%0D%0ABcc:%20x%40y.org", .invalidFrom("a@b.org\r\nBcc: x@y.org")),
        ("smtp://mail.example.org?form=a%40b.org", .unknownParameter("form")),
        ("smtp://mail.example.org?from=a%40b.org&from=c%40d.org", .repeatedParameter("from")),
    ])
    func badURLsAreRefusedClearly(text: String, expected: SMTPURLError) throws {
        let error = try #require(throws: SMTPURLError.self) { try SMTPURL(string: text) }
        // `mail.example.org` alone may be read as a scheme-less path or as a bad scheme.
        if text == "mail.example.org" {
            #expect(error == .notAURL || error == .unsupportedScheme("mail.example.org") || error == .missingHost)
        } else {
            #expect(error == expected)
        }
        #expect(error.description.hasPrefix("Invalid SMTP_URL: "))
    }

    @Test func portOutOfRangeIsRefused() {
        #expect(throws: SMTPURLError.self) { try SMTPURL(string: "smtp://mail.example.org:70000") }
        #expect(throws: SMTPURLError.self) { try SMTPURL(string: "smtp://mail.example.org:abc") }
    }

    @Test func passwordsStayOutOfMessages() throws {
        let error = try #require(throws: SMTPURLError.self) {
            try SMTPURL(string: "smtp://user:hunter2@mail.example.org?starttls=bad")
        }
        #expect(!error.description.contains("hunter2"))
        let url = try SMTPURL(string: "smtp://user:hunter2@mail.example.org:587")
        #expect(!url.description.contains("hunter2"))
        #expect(url.description == "smtp://user:***@mail.example.org:587?from=labatlas@mail.example.org")
    }
}

// MARK: - Encodings

@Suite("SMTP encodings")
struct SMTPEncodingTests {
    @Test func dotStuffing() {
        #expect(SMTPEncoding.dotStuffed("a\r\n.b\r\n..c\r\nd.\r\n") == "a\r\n..b\r\n...c\r\nd.\r\n")
        #expect(SMTPEncoding.dotStuffed(".x\r\n") == "..x\r\n")
    }

    @Test func asciiSubjectIsLeftAlone() {
        #expect(SMTPEncoding.headerText("Reset your password") == "Reset your password")
    }

    @Test func longUTF8SubjectIsSplitIntoValidEncodedWords() throws {
        let subject = String(repeating: "Réinitialisation du mot de passe — été ", count: 4) + "🎉"
        let encoded = SMTPEncoding.headerText(subject)
        let words = encoded.components(separatedBy: "\r\n ")
        #expect(words.count > 1)
        for word in words {
            #expect(word.count <= 75)
            #expect(word.hasPrefix("=?UTF-8?B?") && word.hasSuffix("?="))
        }
        #expect(try decodeEncodedWords(encoded) == subject)
    }

    @Test func quotedPrintable() {
        #expect(SMTPEncoding.quotedPrintable("Café = crème ") == "Caf=C3=A9 =3D cr=C3=A8me=20")
        let long = SMTPEncoding.quotedPrintable(String(repeating: "é", count: 40))
        for line in long.components(separatedBy: "\r\n") { #expect(line.count <= 76) }
        #expect(long.replacingOccurrences(of: "=\r\n", with: "") == String(repeating: "=C3=A9", count: 40))
    }

    @Test func rfc5322Date() {
        #expect(SMTPEncoding.rfc5322Date(Date(timeIntervalSince1970: 0)) == "Thu, 01 Jan 1970 00:00:00 +0000")
        #expect(SMTPEncoding.rfc5322Date(Date(timeIntervalSince1970: 1_751_360_703)) == "Tue, 01 Jul 2025 09:05:03 +0000")
    }

    @Test func displayNames() {
        #expect(SMTPEncoding.mailbox(SMTPMailbox(address: "a@b.org", displayName: "LabAtlas")) == "LabAtlas <a@b.org>")
        #expect(SMTPEncoding.mailbox(SMTPMailbox(address: "a@b.org", displayName: "Lab, Atlas")) == "\"Lab, Atlas\" <a@b.org>")
        #expect(SMTPEncoding.mailbox(SMTPMailbox(address: "a@b.org", displayName: "Réseau")) == "=?UTF-8?B?UsOpc2VhdQ==?= <a@b.org>")
    }
}

// MARK: - End to end, against a fake server on the loopback

@Suite("SMTP client against a fake server")
struct SMTPClientTests {
    static let message = MailMessage(
        to: "alice@example.org",
        subject: "Réinitialisation de votre mot de passe ✓",
        body: "Bonjour Zoé,\n.hidden line\n..two dots\n\nLien : https://labatlas.example.org/reset?t=abc\n.")

    @Test func sendsAMessageWithAuthPlainDotStuffingAndUTF8Subject() async throws {
        let (error, transcript) = await smtpExchange(
            FakeSMTPScript(),
            url: { "smtp://user%40example.org:s%C3%A9cret@127.0.0.1:\($0)?from=LabAtlas%20%3Cnoreply%40example.org%3E" },
            message: Self.message)
        #expect(error == nil)

        let commands = transcript.commands
        try #require(commands.count == 7, "\(commands)")
        #expect(commands[0].hasPrefix("EHLO "))
        #expect(commands[0].count > 5)
        #expect(commands[1].hasPrefix("AUTH PLAIN "))
        #expect(Array(commands[2...]) == [
            "MAIL FROM:<noreply@example.org> BODY=8BITMIME",
            "RCPT TO:<alice@example.org>",
            "DATA",
            "QUIT",
            "<connection closed>",
        ])

        // AUTH PLAIN carries "\0user\0password".
        let token = try #require(Data(base64Encoded: String(commands[1].dropFirst("AUTH PLAIN ".count))))
        #expect(Array(token) == [0] + Array("user@example.org".utf8) + [0] + Array("sécret".utf8))

        let data = try #require(transcript.dataLines)
        for line in data { #expect(!line.contains("\r") && !line.contains("\n")) }
        let blank = try #require(data.firstIndex(of: ""))
        let headers = Array(data[..<blank])
        let body = Array(data[(blank + 1)...])

        #expect(headers.contains("From: LabAtlas <noreply@example.org>"))
        #expect(headers.contains("To: alice@example.org"))
        #expect(headers.contains("MIME-Version: 1.0"))
        #expect(headers.contains("Content-Type: text/plain; charset=utf-8"))
        #expect(headers.contains("Content-Transfer-Encoding: 8bit"))
        let date = try #require(headers.first { $0.hasPrefix("Date: ") })
        #expect(date.hasSuffix(" +0000") && date.count == "Date: Tue, 01 Jul 2025 09:05:03 +0000".count)
        let messageID = try #require(headers.first { $0.hasPrefix("Message-ID: <") })
        #expect(messageID.hasSuffix("@example.org>"))

        let subject = try #require(unfoldedHeader("Subject", in: headers))
        #expect(subject.hasPrefix("=?UTF-8?B?"))
        #expect(try decodeEncodedWords(subject) == Self.message.subject)

        #expect(body == [
            "Bonjour Zoé,",
            "..hidden line",
            "...two dots",
            "",
            "Lien : https://labatlas.example.org/reset?t=abc",
            "..",
        ])
    }

    @Test func rejectedRecipientThrowsAnErrorNamingRCPT() async throws {
        var script = FakeSMTPScript()
        script.rcpt = "550 5.1.1 <alice@example.org>: Recipient address rejected"
        let (error, transcript) = await smtpExchange(script, url: { "smtp://127.0.0.1:\($0)" }, message: Self.message)
        let smtpError = try #require(error as? SMTPError)
        #expect(smtpError == .unexpectedReply(step: "RCPT TO", code: 550,
                                              text: "5.1.1 <alice@example.org>: Recipient address rejected"))
        #expect(smtpError.description.contains("RCPT"))
        #expect(smtpError.description.contains("550"))
        #expect(!transcript.commands.contains("DATA"))
        #expect(transcript.dataLines == nil)
    }

    @Test func multiLineGreetingAndAuthLogin() async throws {
        var script = FakeSMTPScript()
        script.greeting = ["220-fake.test ESMTP", "220-no spam please", "220 ready"]
        script.ehlo = ["250-fake.test", "250-SIZE 10240000", "250 AUTH=LOGIN"]
        let (error, transcript) = await smtpExchange(
            script, url: { "smtp://bob:pa%3Ass@127.0.0.1:\($0)?from=noreply%40example.org" }, message: Self.message)
        #expect(error == nil)
        let commands = transcript.commands
        try #require(commands.count == 9, "\(commands)")
        #expect(Array(commands[1...]) == [
            "AUTH LOGIN",
            Data("bob".utf8).base64EncodedString(),
            Data("pa:ss".utf8).base64EncodedString(),
            "MAIL FROM:<noreply@example.org>",  // no 8BITMIME offered
            "RCPT TO:<alice@example.org>",
            "DATA",
            "QUIT",
            "<connection closed>",
        ])
        let data = try #require(transcript.dataLines)
        #expect(data.contains("Content-Transfer-Encoding: quoted-printable"))
        #expect(data.contains("Bonjour Zo=C3=A9,"))
        #expect(data.contains("..hidden line"))
    }

    @Test func heloFallbackWithoutCredentials() async throws {
        var script = FakeSMTPScript()
        script.ehlo = nil
        let ascii = MailMessage(to: "Alice Martin <alice@example.org>", subject: "Invitation", body: "Hello\r\nworld")
        let (error, transcript) = await smtpExchange(script, url: { "smtp://127.0.0.1:\($0)" }, message: ascii)
        #expect(error == nil)
        let commands = transcript.commands
        try #require(commands.count == 7, "\(commands)")
        #expect(commands[0].hasPrefix("EHLO "))
        #expect(commands[1].hasPrefix("HELO "))
        #expect(Array(commands[2...]) == [
            "MAIL FROM:<labatlas@127.0.0.1>", "RCPT TO:<alice@example.org>", "DATA", "QUIT", "<connection closed>",
        ])
        let data = try #require(transcript.dataLines)
        #expect(data.contains("Subject: Invitation"))
        #expect(data.contains("To: Alice Martin <alice@example.org>"))
        #expect(data.contains("Content-Transfer-Encoding: 7bit"))
        #expect(Array(data.suffix(2)) == ["Hello", "world"])
    }

    @Test func requiredSTARTTLSThatIsNotOfferedStopsBeforeTheMessage() async throws {
        let (error, transcript) = await smtpExchange(
            FakeSMTPScript(), url: { "smtp://u:p@127.0.0.1:\($0)?starttls=required" }, message: Self.message)
        #expect(error as? SMTPError == .startTLSUnavailable)
        #expect("\(error!)".contains("STARTTLS"))
        #expect(transcript.commands.count == 2, "\(transcript.commands)")  // EHLO, then the connection closes
        #expect(!transcript.commands.contains { $0.hasPrefix("AUTH") || $0.hasPrefix("MAIL") })
    }

    @Test func credentialsWithoutAuthOffered() async throws {
        var script = FakeSMTPScript()
        script.ehlo = ["250-fake.test", "250 8BITMIME"]
        let (error, transcript) = await smtpExchange(script, url: { "smtp://u:p@127.0.0.1:\($0)" }, message: Self.message)
        #expect(error as? SMTPError == .authenticationUnavailable(offered: []))
        #expect(!transcript.commands.contains { $0.hasPrefix("MAIL") })
    }

    @Test func failedAuthenticationNamesTheStep() async throws {
        var script = FakeSMTPScript()
        script.auth = "535 5.7.8 Authentication credentials invalid"
        let (error, _) = await smtpExchange(script, url: { "smtp://u:wrong@127.0.0.1:\($0)" }, message: Self.message)
        let smtpError = try #require(error as? SMTPError)
        #expect(smtpError == .unexpectedReply(step: "AUTH PLAIN", code: 535, text: "5.7.8 Authentication credentials invalid"))
        #expect(!smtpError.description.contains("wrong"))
    }

    @Test func headerInjectionIsRefusedBeforeConnecting() async throws {
        let client = SMTPClient(url: try SMTPURL(string: "smtp://127.0.0.1:9"), eventLoopGroup: MultiThreadedEventLoopGroup.singleton)
        await #expect(throws: SMTPError.headerInjection(field: "recipient")) {
            try await client.send(MailMessage(to: "alice@example.org\r\nBcc: mallory@example.org", subject: "Hi", body: "x"))
        }
        await #expect(throws: SMTPError.headerInjection(field: "subject")) {
            try await client.send(MailMessage(to: "alice@example.org", subject: "Hi\nBcc: mallory@example.org", body: "x"))
        }
        await #expect(throws: SMTPError.invalidAddress(field: "recipient", value: "alice")) {
            try await client.send(MailMessage(to: "alice", subject: "Hi", body: "x"))
        }
    }

    @Test func silentServerTimesOut() async throws {
        var script = FakeSMTPScript()
        script.silent = true
        let start = ContinuousClock.now
        let (error, _) = await smtpExchange(script, url: { "smtp://127.0.0.1:\($0)" }, message: Self.message,
                                        timeout: .milliseconds(300))
        #expect(error as? SMTPError == .timedOut(seconds: 0.3))
        #expect(ContinuousClock.now - start < .seconds(5))
    }

    @Test func requiredSTARTTLSUpgradesAndVerifiesTheCertificate() async throws {
        var script = FakeSMTPScript()
        script.startTLS = true
        let (error, transcript) = await smtpExchange(
            script, url: { "smtp://u:p@127.0.0.1:\($0)?starttls=required" }, message: Self.message,
            clientTLS: try FakeTLS.trustingClient())
        #expect(error == nil, "\(String(describing: error))")
        let commands = transcript.commands
        try #require(commands.count == 10, "\(commands)")
        #expect(commands[0].hasPrefix("EHLO "))
        #expect(Array(commands[1...2]) == ["STARTTLS", "<TLS>"])
        #expect(commands[3] == commands[0])  // EHLO again, inside TLS
        #expect(commands[4].hasPrefix("AUTH PLAIN "))
        #expect(Array(commands[5...]) == [
            "MAIL FROM:<labatlas@127.0.0.1> BODY=8BITMIME", "RCPT TO:<alice@example.org>", "DATA", "QUIT",
            "<connection closed>",
        ])
        #expect(transcript.dataLines?.contains("..hidden line") == true)
    }

    @Test func opportunisticSTARTTLSAcceptsASelfSignedCertificate() async throws {
        var script = FakeSMTPScript()
        script.startTLS = true
        let (error, transcript) = await smtpExchange(script, url: { "smtp://127.0.0.1:\($0)" }, message: Self.message)
        #expect(error == nil, "\(String(describing: error))")
        #expect(transcript.commands.contains("<TLS>"))
        #expect(transcript.dataLines != nil)
    }

    @Test func requiredSTARTTLSRefusesAnUntrustedCertificate() async throws {
        var script = FakeSMTPScript()
        script.startTLS = true
        let (error, transcript) = await smtpExchange(
            script, url: { "smtp://u:p@127.0.0.1:\($0)?starttls=required" }, message: Self.message)
        let smtpError = try #require(error as? SMTPError)
        #expect(smtpError.description.contains("STARTTLS"), "\(smtpError)")
        #expect(!transcript.commands.contains { $0.hasPrefix("AUTH") || $0.hasPrefix("MAIL") })
    }

    @Test func neverSTARTTLSStaysPlain() async throws {
        var script = FakeSMTPScript()
        script.startTLS = true
        let (error, transcript) = await smtpExchange(
            script, url: { "smtp://127.0.0.1:\($0)?starttls=never" }, message: Self.message)
        #expect(error == nil)
        #expect(!transcript.commands.contains("STARTTLS"))
        #expect(transcript.dataLines != nil)
    }

    @Test func implicitTLS() async throws {
        var script = FakeSMTPScript()
        script.implicitTLS = true
        let (error, transcript) = await smtpExchange(
            script, url: { "smtps://user:secret@127.0.0.1:\($0)?from=noreply%40example.org" }, message: Self.message,
            clientTLS: try FakeTLS.trustingClient())
        #expect(error == nil, "\(String(describing: error))")
        let commands = transcript.commands
        try #require(commands.count == 7, "\(commands)")
        #expect(commands[1].hasPrefix("AUTH PLAIN "))
        #expect(commands[2] == "MAIL FROM:<noreply@example.org> BODY=8BITMIME")
        #expect(transcript.dataLines?.contains("To: alice@example.org") == true)
    }

    @Test func refusedConnectionIsReported() async throws {
        // Bind a port, then free it: nobody listens there any more.
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .bind(host: "127.0.0.1", port: 0).get()
        let port = try #require(channel.localAddress?.port)
        try await channel.close()
        let client = SMTPClient(url: try SMTPURL(string: "smtp://127.0.0.1:\(port)"),
                                eventLoopGroup: MultiThreadedEventLoopGroup.singleton, timeout: .seconds(5))
        let error = await #expect(throws: SMTPError.self) { try await client.send(Self.message) }
        guard case .connectionFailed(let host, let failedPort, _)? = error else {
            Issue.record("unexpected \(String(describing: error))")
            return
        }
        #expect(host == "127.0.0.1" && failedPort == port)
    }
}

// MARK: - The fake server

/// What the fake server answers.
struct FakeSMTPScript: Sendable {
    var greeting = ["220 fake.test ESMTP ready"]
    /// The EHLO reply; `nil` refuses EHLO with 502 (so the client falls back to HELO).
    var ehlo: [String]? = ["250-fake.test greets you", "250-PIPELINING", "250-8BITMIME", "250 AUTH PLAIN LOGIN"]
    var auth = "235 2.7.0 Authentication successful"
    var rcpt = "250 2.1.5 OK"
    /// Never says anything.
    var silent = false
    /// Offers STARTTLS (until TLS is on) and switches to TLS when asked.
    var startTLS = false
    /// TLS from the first byte, as behind `smtps://`.
    var implicitTLS = false
}

/// What the fake server received: each command line (and the AUTH LOGIN
/// answers), `<TLS>` where STARTTLS switched to TLS, then `<connection closed>`; and the DATA lines as they came, still
/// dot-stuffed, without the final ".".
struct FakeSMTPTranscript: Sendable {
    var commands: [String] = []
    var dataLines: [String]?
}

/// Starts a fake server on 127.0.0.1 (port 0), sends `message` to it with an
/// `SMTPClient`, and returns the client's error (if any) and what the server saw.
func smtpExchange(_ script: FakeSMTPScript, url: (Int) -> String, message: MailMessage,
              timeout: TimeAmount = .seconds(10), clientTLS: TLSConfiguration? = nil)
    async -> (error: (any Error)?, transcript: FakeSMTPTranscript) {
    do {
        let implicitTLS = script.implicitTLS ? try FakeTLS.serverContext() : nil
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .bind(host: "127.0.0.1", port: 0) { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let implicitTLS {
                        try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: implicitTLS))
                    }
                    return try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        let port = try #require(server.channel.localAddress?.port)
        let serverTask = Task { () async throws -> FakeSMTPTranscript in
            try await server.executeThenClose { connections in
                for try await connection in connections {
                    return try await serveFakeSMTP(connection, script: script)
                }
                return FakeSMTPTranscript()
            }
        }
        var clientError: (any Error)?
        do {
            let client = SMTPClient(url: try SMTPURL(string: url(port)),
                                    eventLoopGroup: MultiThreadedEventLoopGroup.singleton, timeout: timeout,
                                    tlsConfiguration: clientTLS)
            try await client.send(message)
        } catch {
            clientError = error
        }
        let transcript = try await serverTask.value
        return (clientError, transcript)
    } catch {
        Issue.record("fake SMTP server failed: \(error)")
        return (error, FakeSMTPTranscript())
    }
}

private func serveFakeSMTP(_ connection: NIOAsyncChannel<ByteBuffer, ByteBuffer>,
                           script: FakeSMTPScript) async throws -> FakeSMTPTranscript {
    try await connection.executeThenClose { inbound, outbound in
        var reader = CRLFLineReader(iterator: inbound.makeAsyncIterator())
        var transcript = FakeSMTPTranscript()
        // A client may close right after its last command (QUIT after an error):
        // a failed write then just ends the conversation at the next read.
        func reply(_ lines: [String]) async {
            try? await outbound.write(ByteBuffer(string: lines.map { $0 + "\r\n" }.joined()))
        }
        func reply(_ line: String) async { await reply([line]) }

        if script.silent {
            while try await reader.nextLine() != nil {}
            transcript.commands.append("<connection closed>")
            return transcript
        }
        await reply(script.greeting)
        var tlsActive = script.implicitTLS
        while let line = try await reader.nextLine() {
            transcript.commands.append(line)
            let verb = line.prefix(while: { $0 != " " }).uppercased()
            switch verb {
            case "EHLO":
                guard var ehlo = script.ehlo else {
                    await reply("502 5.5.2 Error: command not recognized")
                    break
                }
                if script.startTLS && !tlsActive { ehlo.insert("250-STARTTLS", at: 1) }
                await reply(ehlo)
            case "STARTTLS" where script.startTLS && !tlsActive:
                // The reply and the switch to TLS happen in one event-loop turn, so
                // that no byte of the client's handshake is read as plain text.
                let channel = connection.channel
                let context = try FakeTLS.serverContext()
                try await channel.eventLoop.submit {
                    channel.writeAndFlush(ByteBuffer(string: "220 2.0.0 Ready to start TLS\r\n"), promise: nil)
                    try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: context), position: .first)
                }.get()
                tlsActive = true
                transcript.commands.append("<TLS>")
            case "HELO":
                await reply("250 fake.test")
            case "AUTH" where line.uppercased() == "AUTH LOGIN":
                await reply("334 VXNlcm5hbWU6")
                guard let user = try await reader.nextLine() else { break }
                transcript.commands.append(user)
                await reply("334 UGFzc3dvcmQ6")
                guard let password = try await reader.nextLine() else { break }
                transcript.commands.append(password)
                await reply(script.auth)
            case "AUTH":
                await reply(script.auth)
            case "MAIL":
                await reply("250 2.1.0 Ok")
            case "RCPT":
                await reply(script.rcpt)
            case "DATA":
                await reply("354 End data with <CR><LF>.<CR><LF>")
                var lines: [String] = []
                while let dataLine = try await reader.nextLine(), dataLine != "." { lines.append(dataLine) }
                transcript.dataLines = lines
                await reply("250 2.0.0 Ok: queued as 4F2A")
            case "QUIT":
                await reply("221 2.0.0 Bye")
            default:
                await reply("502 5.5.2 Error: command not recognized")
            }
        }
        transcript.commands.append("<connection closed>")
        return transcript
    }
}

/// Reads CRLF-terminated lines; a bare CR or LF stays inside the line.
private struct CRLFLineReader {
    var iterator: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator
    var pending: [UInt8] = []

    mutating func nextLine() async throws -> String? {
        while true {
            if pending.count >= 2 {
                for index in 1..<pending.count where pending[index - 1] == 13 && pending[index] == 10 {
                    let line = String(decoding: pending[..<(index - 1)], as: UTF8.self)
                    pending.removeFirst(index + 1)
                    return line
                }
            }
            // A failed TLS handshake, a reset…: the conversation is over.
            guard let buffer = try? await iterator.next() else { return nil }
            pending += buffer.readableBytesView
        }
    }
}

// MARK: - TLS material

/// A self-signed certificate for `localhost` and `127.0.0.1` (P-256, valid
/// 2000–2100), made for these tests only.
enum FakeTLS {
    static let certificatePEM = """
        -----BEGIN CERTIFICATE-----
        MIIBizCCATKgAwIBAgIBATAKBggqhkjOPQQDAjAUMRIwEAYDVQQDDAlsb2NhbGhv
        c3QwIBcNMDAwMTAxMDAwMDAwWhgPMjEwMDEyMzEyMzU5NTlaMBQxEjAQBgNVBAMM
        CWxvY2FsaG9zdDBZMBMGByqGSM49AgEGCCqGSM49AwEHA0IABPP41w+Txhb4oT1h
        6vPFkk6BRKFVM9TrZz9qmQ6GMK6SKY7BS4/Ypr18plHBh8HtX6m73eCgxVxOqAAf
        UQC+JsCjczBxMBoGA1UdEQQTMBGCCWxvY2FsaG9zdIcEfwAAATAPBgNVHRMBAf8E
        BTADAQH/MA4GA1UdDwEB/wQEAwIChDATBgNVHSUEDDAKBggrBgEFBQcDATAdBgNV
        HQ4EFgQU0Snu+h9lsoj+uO1gYWuTEKfmYQIwCgYIKoZIzj0EAwIDRwAwRAIgB2gL
        drjoW2RDc3FQL0LfMGfH7jOWTz57ZDPMCXFhjAMCIE9V+PVrmofOVsTYDynT0wJZ
        U7LHuzV7HMPCWQ+3Xuz/
        -----END CERTIFICATE-----
        """
    static let privateKeyPEM = """
        -----BEGIN PRIVATE KEY-----
        MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgmbTGcuoHofPCcg4T
        T8INw20CyjJK6T16C1EZyDd/KpChRANCAATz+NcPk8YW+KE9YerzxZJOgUShVTPU
        62c/apkOhjCukimOwUuP2Ka9fKZRwYfB7V+pu93goMVcTqgAH1EAvibA
        -----END PRIVATE KEY-----
        """

    static func certificate() throws -> NIOSSLCertificate {
        try NIOSSLCertificate(bytes: Array(certificatePEM.utf8), format: .pem)
    }

    static func serverContext() throws -> NIOSSLContext {
        let key = try NIOSSLPrivateKey(bytes: Array(privateKeyPEM.utf8), format: .pem)
        let configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: [.certificate(try certificate())], privateKey: .privateKey(key))
        return try NIOSSLContext(configuration: configuration)
    }

    /// A client configuration that trusts the test certificate, and only it.
    static func trustingClient() throws -> TLSConfiguration {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.trustRoots = .certificates([try certificate()])
        return configuration
    }
}

// MARK: - Helpers

/// The value of a header, its folded continuation lines joined back.
private func unfoldedHeader(_ name: String, in headers: [String]) -> String? {
    guard let start = headers.firstIndex(where: { $0.hasPrefix(name + ": ") }) else { return nil }
    var value = String(headers[start].dropFirst(name.count + 2))
    var index = start + 1
    while index < headers.count, headers[index].hasPrefix(" ") || headers[index].hasPrefix("\t") {
        value += "\r\n" + headers[index]
        index += 1
    }
    return value
}

/// Decodes a run of `=?UTF-8?B?…?=` words separated by folding white space.
private func decodeEncodedWords(_ text: String) throws -> String {
    var bytes: [UInt8] = []
    for word in text.split(whereSeparator: { $0 == " " || $0 == "\r\n" || $0 == "\t" }) {
        try #require(word.hasPrefix("=?UTF-8?B?") && word.hasSuffix("?="), "not an encoded word: \(word)")
        let base64 = word.dropFirst("=?UTF-8?B?".count).dropLast(2)
        bytes += try #require(Data(base64Encoded: String(base64)))
    }
    return try #require(String(bytes: bytes, encoding: .utf8))
}
