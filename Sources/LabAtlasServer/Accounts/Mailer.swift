import Foundation
import Vapor

/// Sends the few e-mails LabAtlas writes (password resets, invitations): by
/// SMTP when `SMTP_URL` is set, otherwise into the server log, where the
/// administrator finds the link to pass on.
struct Mailer: Sendable {
    let smtp: SMTPURL?
    let eventLoopGroup: any EventLoopGroup
    let logger: Logger

    func send(to recipient: String, subject: String, body: String) async throws {
        guard let smtp else {
            logger.notice("e-mail not sent (no SMTP_URL configured); to: \(recipient); subject: \(subject)\n\(body)")
            return
        }
        do {
            try await SMTPClient(url: smtp, eventLoopGroup: eventLoopGroup)
                .send(MailMessage(to: recipient, subject: subject, body: body))
            logger.info("e-mail sent to \(recipient): \(subject)")
        } catch {
            // The link must not be lost: the administrator can still pass it on.
            logger.error("e-mail to \(recipient) failed (\(String(describing: error))); its text follows\n\(body)")
        }
    }
}

struct SMTPSettingsKey: StorageKey {
    typealias Value = SMTPURL
}

extension Request {
    var mailer: Mailer {
        Mailer(smtp: application.storage[SMTPSettingsKey.self], eventLoopGroup: application.eventLoopGroup, logger: logger)
    }
}
