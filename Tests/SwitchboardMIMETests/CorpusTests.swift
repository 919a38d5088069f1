import Foundation
import Testing

@testable import SwitchboardMIME

/// Every message of the MIME corpus parses to the expected subject, sender, text, attachments and
/// flags: Fixtures/corpus (from shared/corpus/mime, with its manifest) and Fixtures/extra (written
/// by Fixtures/generate-extra.py, whose manifest holds the inputs each message was built from).
@Suite("MIME corpus")
struct CorpusTests {
    struct Manifest: Decodable {
        struct Entry: Decodable {
            struct Flags: Decodable {
                var auto_submitted: Bool
                var bounce: Bool
                var mailing_list: Bool
                var in_reply_to: String?
                var has_message_id: Bool
                var truncated: Bool
            }

            var file: String
            var subject: String?
            var from_address: String
            var from_name: String?
            var text_excerpts: [String]
            var attachments: [String]
            var flags: Flags
        }

        var files: [Entry]
    }

    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")
    static let sets = ["corpus", "extra"]

    /// Every manifest entry, its file as `set/file`.
    static let entries: [Manifest.Entry] = sets.flatMap { set -> [Manifest.Entry] in
        guard let data = try? Data(contentsOf: fixtures.appendingPathComponent("\(set)/manifest.json")),
            let manifest = try? JSONDecoder().decode(Manifest.self, from: data)
        else { return [] }
        return manifest.files.map { entry in
            var entry = entry
            entry.file = "\(set)/\(entry.file)"
            return entry
        }
    }

    @Test("the corpus holds at least 60 messages with expected values")
    func manifestLoads() {
        #expect(Self.entries.count >= 60)
    }

    @Test(arguments: entries.map(\.file))
    func message(_ file: String) throws {
        let entry = try #require(Self.entries.first { $0.file == file })
        let bytes = try [UInt8](Data(contentsOf: Self.fixtures.appendingPathComponent(file)))
        let message = MIMEParser().parse(bytes)
        #expect(message.subject == entry.subject, "subject")
        #expect(message.from?.address == entry.from_address, "from address")
        #expect(message.from?.name == entry.from_name, "from name")
        let text = message.text ?? ""
        for excerpt in entry.text_excerpts {
            #expect(text.contains(excerpt), "text excerpt \(excerpt) not in \(text.prefix(400))")
        }
        #expect(message.attachments.compactMap(\.filename) == entry.attachments, "attachments")
        #expect(message.isAutoSubmitted == entry.flags.auto_submitted, "auto-submitted")
        #expect(message.isBounce == entry.flags.bounce, "bounce")
        #expect(message.isMailingList == entry.flags.mailing_list, "mailing list")
        #expect(message.inReplyTo == entry.flags.in_reply_to, "in-reply-to")
        #expect((message.messageID != nil) == entry.flags.has_message_id, "message id")
        #expect(message.truncated == entry.flags.truncated, "truncated")
    }
}
