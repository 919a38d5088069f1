import ArgumentParser
import Crypto
import Foundation
import SwitchboardCore
import SwitchboardEmail
import SwitchboardMIME

/// `switchboard inspect-mail FILE|-`: what the gateway makes of one raw message, as JSON, so a
/// mail admin can see why a message looks the way it does.
struct InspectMail: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect-mail",
        abstract: "Print the normalized contact of one raw message (RFC 5322 file, or - for standard input) as JSON.")

    @Argument(help: "The message file, or - to read standard input.")
    var file: String

    @Option(name: .customLong("own-address"), help: "An address the channel owns (repeatable): marks own mail and loops.")
    var ownAddresses: [String] = []

    func run() throws {
        let bytes: [UInt8]
        do {
            bytes = file == "-"
                ? [UInt8](FileHandle.standardInput.readDataToEndOfFile())
                : [UInt8](try Data(contentsOf: URL(fileURLWithPath: file)))
        } catch {
            throw ValidationError("cannot read \(file): \(error.localizedDescription)")
        }
        guard !bytes.isEmpty else { throw ValidationError("\(file == "-" ? "standard input" : file) is empty") }
        let normalizer = MailNormalizer(channelID: ChannelID(rawValue: "inspect"), ownAddresses: Set(ownAddresses))
        let result = normalizer.normalize(bytes, receivedAt: Date())
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        let data = try encoder.encode(MailReport(result))
        print(String(decoding: data, as: UTF8.self))
    }
}

/// The JSON `inspect-mail` prints (absent values are `null`).
struct MailReport: Encodable {
    struct Address: Encodable {
        var address: String
        var name: String?

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(address, forKey: .address)
            try container.encode(name, forKey: .name)
        }

        enum CodingKeys: String, CodingKey { case address, name }
    }

    struct AttachmentReport: Encodable {
        var name: String
        var contentType: String
        var size: Int
        var sha256: String
        var contentId: String?

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(name, forKey: .name)
            try container.encode(contentType, forKey: .contentType)
            try container.encode(size, forKey: .size)
            try container.encode(sha256, forKey: .sha256)
            try container.encode(contentId, forKey: .contentId)
        }

        enum CodingKeys: String, CodingKey { case name, contentType, size, sha256, contentId }
    }

    var subject: String?
    var from: Address?
    var to: [Address]
    var cc: [Address]
    var messageId: String?
    var externalId: String?
    var inReplyTo: String?
    var references: [String]
    var date: Date?
    var text: String?
    var html: String?
    var attachments: [AttachmentReport]
    var flags: MailNormalizer.Flags
    var opensConversation: Bool
    var errors: [String]

    init(_ result: MailNormalizer.Result) {
        let message = result.message
        subject = message.subject
        from = message.from.map { Address(address: $0.address, name: $0.name) }
        to = message.to.map { Address(address: $0.address, name: $0.name) }
        cc = message.cc.map { Address(address: $0.address, name: $0.name) }
        messageId = message.messageID
        externalId = result.contact?.externalID
        inReplyTo = message.inReplyTo
        references = message.references
        date = message.date
        text = result.contact?.text ?? message.text
        html = message.html
        attachments = (result.contact?.attachments ?? []).map { attachment in
            AttachmentReport(
                name: attachment.name, contentType: attachment.contentType, size: attachment.data.count,
                sha256: SHA256.hash(data: attachment.data).map { String(format: "%02x", $0) }.joined(),
                contentId: attachment.contentID)
        }
        flags = result.flags
        opensConversation = result.flags.isConversational && result.contact != nil
        errors = result.errors
    }

    enum CodingKeys: String, CodingKey {
        case subject, from, to, cc, messageId, externalId, inReplyTo, references, date, text, html, attachments, flags,
            opensConversation, errors
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(subject, forKey: .subject)
        try container.encode(from, forKey: .from)
        try container.encode(to, forKey: .to)
        try container.encode(cc, forKey: .cc)
        try container.encode(messageId, forKey: .messageId)
        try container.encode(externalId, forKey: .externalId)
        try container.encode(inReplyTo, forKey: .inReplyTo)
        try container.encode(references, forKey: .references)
        try container.encode(date, forKey: .date)
        try container.encode(text, forKey: .text)
        try container.encode(html, forKey: .html)
        try container.encode(attachments, forKey: .attachments)
        try container.encode(flags, forKey: .flags)
        try container.encode(opensConversation, forKey: .opensConversation)
        try container.encode(errors, forKey: .errors)
    }
}
