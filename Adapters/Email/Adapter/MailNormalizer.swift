import Crypto
import Foundation
import SwitchboardCore
import SwitchboardMIME

/// Turns one raw mail into the contact the Ingestor stores, plus the facts that decide whether
/// it may open a conversation at all (auto-replies, bounces, lists, our own mail, loops).
///
/// Shared by the IMAP and SMTP/LMTP paths and by `switchboard inspect-mail`, so a mail admin sees
/// exactly what the gateway makes of a message.
public struct MailNormalizer: Sendable {
    public var channelID: ChannelID
    /// Addresses this channel owns (lower-cased): mail from them is ours, `X-Loop` naming them is a loop.
    public var ownAddresses: Set<String>
    public var subjectToken: SubjectToken
    public var limits: MIMELimits

    public init(
        channelID: ChannelID, ownAddresses: Set<String> = [], subjectToken: SubjectToken = SubjectToken(),
        limits: MIMELimits = MIMELimits()
    ) {
        self.channelID = channelID
        self.ownAddresses = Set(ownAddresses.map { $0.lowercased() })
        self.subjectToken = subjectToken
        self.limits = limits
    }

    /// Why a message may not open a conversation or trigger replies (RFC 3834 and list etiquette).
    public struct Flags: Sendable, Hashable, Codable {
        /// `Auto-Submitted` present and not `no`.
        public var autoSubmitted = false
        /// A delivery status notification.
        public var bounce = false
        /// `List-Id`, or `Precedence: list`.
        public var mailingList = false
        /// `Precedence: bulk`, `junk` or `list`.
        public var bulk = false
        /// Sent from one of this channel's own addresses.
        public var ownAddress = false
        /// `X-Loop` names one of our addresses.
        public var loop = false

        public init() {}

        /// Whether the message may open a conversation and get replies.
        public var isConversational: Bool { !(autoSubmitted || bounce || mailingList || bulk || ownAddress || loop) }
    }

    /// One normalized mail.
    public struct Result: Sendable {
        public var message: MIMEMessage
        /// `nil` when the message has no usable sender address.
        public var contact: InboundContact?
        public var flags: Flags
        /// Everything that had to be worked around, for the audit trail and `inspect-mail`.
        public var errors: [String]
    }

    public func normalize(_ raw: [UInt8], receivedAt: Date) -> Result {
        let message = MIMEParser(limits: limits).parse(raw)
        var errors = message.issues.map(\.description)
        var flags = Flags()
        flags.autoSubmitted = message.isAutoSubmitted
        flags.bounce = message.isBounce
        flags.mailingList = message.isMailingList
        flags.bulk = message.isBulk
        let from = message.from
        if let address = from?.address { flags.ownAddress = ownAddresses.contains(address) }
        flags.loop = message.headers.all("X-Loop").contains { value in
            MailAddress.parseList(value).contains { ownAddresses.contains($0.address) }
                || ownAddresses.contains(value.trimmingSpace().lowercased())
        }
        guard let from, let sender = try? Handle.email(from.address) else {
            errors.append("no usable From address")
            return Result(message: message, contact: nil, flags: flags, errors: errors)
        }
        let subject = message.subject
        var attachments: [InboundAttachment] = []
        for (index, part) in message.attachments.enumerated() {
            guard !part.body.isEmpty else {
                errors.append("attachment \(part.filename ?? part.path) is empty; left out")
                continue
            }
            guard attachments.count < ContactLimits.maxAttachments else {
                errors.append("more than \(ContactLimits.maxAttachments) attachments; the rest were left out")
                break
            }
            attachments.append(
                InboundAttachment(
                    name: part.filename ?? Self.generatedName(for: part, index: index + 1), contentType: part.mediaType,
                    data: Data(part.body), contentID: part.contentID))
        }
        var text = message.text
        let html = message.html
        if (text ?? "").isEmpty && (html ?? "").isEmpty && attachments.isEmpty {
            // An empty mail still reached us: keep it, with its subject as its text.
            text = subject.flatMap { $0.isEmpty ? nil : $0 } ?? "(empty message)"
        }
        let references = message.references
        var replyTo = message.inReplyTo.map { MIMEMessage.messageIDs(in: $0) } ?? []
        for reference in references.reversed() where !replyTo.contains(reference) { replyTo.append(reference) }
        let recipients = message.to + message.cc
        let recipient = recipients.first { ownAddresses.contains($0.address) } ?? recipients.first
        let contact = InboundContact(
            channelID: channelID, channelKind: .email, externalID: Self.externalID(message, raw: raw),
            occurredAt: message.date ?? receivedAt, sender: sender, senderName: from.name.map { String($0.prefix(200)) },
            recipient: recipient?.address,
            threadHints: ThreadHints(
                replyTo: replyTo, subjectToken: subject.flatMap { subjectToken.find(in: $0) }, byInactivityWindow: false),
            text: text, html: html, attachments: attachments,
            routing: RoutingAttributes(extra: subject.map { ["subject": String($0.prefix(1000))] } ?? [:]),
            raw: RawPayload(contentType: "message/rfc822", bytes: Data(raw)))
        return Result(message: message, contact: contact, flags: flags, errors: errors)
    }

    /// The Message-ID as written when it is usable, else `sha256:` of the raw bytes — so a
    /// re-fetched or re-delivered copy of the same message is recognised either way.
    static func externalID(_ message: MIMEMessage, raw: [UInt8]) -> String {
        if let id = message.messageID, id.utf8.count <= ContactLimits.maxExternalIDBytes,
            !id.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F })
        {
            return id
        }
        return "sha256:" + SHA256.hash(data: raw).map { String(format: "%02x", $0) }.joined()
    }

    static func generatedName(for part: MIMEPart, index: Int) -> String {
        let subtype = part.mediaType.split(separator: "/").last.map(String.init) ?? "bin"
        let extensionName = part.mediaType == "message/rfc822" ? "eml" : subtype.filter { $0.isLetter || $0.isNumber }
        return "attachment-\(index).\(extensionName.isEmpty ? "bin" : extensionName)"
    }
}

/// The conversation token agents' replies carry in their subject (`Re: [#1042] …`), so a customer's
/// answer finds its conversation even when their mail client drops the threading headers.
public struct SubjectToken: Sendable, Hashable {
    public var prefix: String
    public var suffix: String

    public init(prefix: String = "[#", suffix: String = "]") {
        self.prefix = prefix
        self.suffix = suffix
    }

    /// The token's content (`1042`) in `subject`, if present.
    public func find(in subject: String) -> String? {
        guard let start = subject.range(of: prefix),
            let end = subject[start.upperBound...].range(of: suffix)
        else { return nil }
        let token = subject[start.upperBound..<end.lowerBound]
        guard !token.isEmpty, token.count <= 32, token.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" }) else {
            return nil
        }
        return String(token)
    }

    public func render(_ token: String) -> String { prefix + token + suffix }
}
