import Crypto
import Foundation
import SwitchboardCore
import SwitchboardMIME

/// Decides what one received mail becomes: a contact that may open a conversation, or a record
/// that is kept but opens nothing (auto-replies, bounces, list and bulk mail, our own mail, loops,
/// messages too large or unreadable). Shared by every mail path (IMAP now, SMTP/LMTP later), so
/// the loop rules are the same whichever way mail arrives.
public struct MailIntake: Sendable {
    public var normalizer: MailNormalizer

    public init(normalizer: MailNormalizer) {
        self.normalizer = normalizer
    }

    /// The submission for a complete raw message; `envelope` when it came over SMTP/LMTP.
    public func submission(
        raw: [UInt8], receivedAt: Date, checkpoint: ChannelCheckpoint? = nil, envelope: MailEnvelope? = nil
    ) -> ContactSubmission {
        let result = normalizer.normalize(raw, receivedAt: receivedAt)
        let message = result.message
        if let envelope, envelope.sender.isEmpty, result.flags.isConversational {
            // RFC 5321 §4.5.5: the null reverse path is for notifications, which must not be answered.
            return .recorded(
                record(message, raw: raw, receivedAt: receivedAt, reason: .autoSubmitted,
                    detail: "null envelope sender (MAIL FROM:<>): an automatic notification", checkpoint: checkpoint))
        }
        if var contact = result.contact, result.flags.isConversational {
            do throws(ValidationError) {
                if let envelope, !(contact.recipient.map(normalizer.ownAddresses.contains) ?? false),
                    let delivered = envelope.recipients.first
                {
                    // Bcc or an alias: the header names none of our addresses, the envelope does.
                    contact.recipient = delivered.lowercased()
                }
                try contact.validate()
                contact.checkpoint = checkpoint
                return .contact(contact)
            } catch {
                return .recorded(
                    record(message, raw: raw, receivedAt: receivedAt, reason: .unreadable,
                        detail: "not storable as a message: \(error)", checkpoint: checkpoint))
            }
        }
        let (reason, detail) = Self.reason(result)
        return .recorded(record(message, raw: raw, receivedAt: receivedAt, reason: reason, detail: detail, checkpoint: checkpoint))
    }

    /// The record of a message over the size limit: its headers only, with its size.
    public func oversize(header: [UInt8], size: Int, limit: Int, receivedAt: Date, checkpoint: ChannelCheckpoint? = nil)
        -> RecordedContact
    {
        let message = MIMEParser(limits: normalizer.limits).parse(header)
        var identity = header
        identity += Array("\nsize:\(size)".utf8)
        return record(
            message, raw: header, receivedAt: receivedAt, reason: .oversize,
            detail: "message of \(size) bytes is over this channel's limit of \(limit) bytes; only its headers were kept",
            checkpoint: checkpoint, identity: identity)
    }

    private func record(
        _ message: MIMEMessage, raw: [UInt8], receivedAt: Date, reason: RecordReason, detail: String,
        checkpoint: ChannelCheckpoint?, identity: [UInt8]? = nil
    ) -> RecordedContact {
        let sender = message.from.flatMap { try? Handle.email($0.address) }
        var relatesTo = message.reportedMessageIDs
        relatesTo += message.inReplyTo.map { MIMEMessage.messageIDs(in: $0) } ?? []
        relatesTo += message.references.reversed()
        let summary = message.subject.map { String($0.prefix(500)) }
        return RecordedContact(
            channelID: normalizer.channelID, channelKind: .email,
            externalID: MailNormalizer.externalID(message, raw: identity ?? raw), occurredAt: message.date ?? receivedAt,
            sender: sender, summary: summary, reason: reason, detail: String(detail.prefix(4000)),
            relatesTo: Array(relatesTo.prefix(20)), raw: RawPayload(contentType: "message/rfc822", bytes: Data(raw)),
            checkpoint: checkpoint)
    }

    /// The most telling reason a normalized mail may not converse, with what triggered it.
    static func reason(_ result: MailNormalizer.Result) -> (RecordReason, String) {
        let flags = result.flags
        let headers = result.message.headers
        if flags.loop { return (.loop, "X-Loop names this channel: the message already passed through us") }
        if flags.ownAddress { return (.ownAddress, "sent from one of this channel's own addresses") }
        if flags.bounce { return (.bounce, "delivery status notification") }
        if flags.autoSubmitted {
            return (.autoSubmitted, "Auto-Submitted: \(headers.string("Auto-Submitted")?.trimmingSpace() ?? "")")
        }
        if flags.mailingList {
            return (.mailingList, headers.string("List-Id").map { "List-Id: \($0.trimmingSpace())" } ?? "Precedence: list")
        }
        if flags.bulk { return (.bulk, "Precedence: \(headers.string("Precedence")?.trimmingSpace() ?? "")") }
        return (.unreadable, result.errors.last ?? "no usable sender")
    }
}

/// The SMTP envelope a message arrived with (what MAIL FROM and RCPT TO said).
public struct MailEnvelope: Sendable, Hashable {
    /// The reverse path; "" for the null sender `<>`.
    public var sender: String
    public var recipients: [String]

    public init(sender: String, recipients: [String]) {
        self.sender = sender
        self.recipients = recipients
    }
}
