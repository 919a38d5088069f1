import Foundation
import SwitchboardCore
@testable import SwitchboardEmail
import Testing

@Suite("IMAP client pieces")
struct IMAPPiecesTests {
    @Test("mailbox names go out in modified UTF-7 (RFC 3501 §5.1.3)", arguments: [
        ("INBOX", "INBOX"),
        ("已处理", "&XfJZBHQG-"),
        ("Entwürfe", "Entw&APw-rfe"),
        ("R&D", "R&-D"),
        ("~peter/mail/台北/日本語", "~peter/mail/&U,BTFw-/&ZeVnLIqe-"),
    ])
    func modifiedUTF7(_ name: String, _ expected: String) {
        #expect(IMAPArgument.modifiedUTF7(name) == expected)
    }

    @Test("strings are quoted with escapes, or sent as literals when they cannot be quoted")
    func stringEncoding() {
        #expect(IMAPArgument.string(#"pa"ss\word"#).encoded == .text(Array(#""pa\"ss\\word""#.utf8)))
        #expect(IMAPArgument.string("line\r\nbreak").encoded == .literal(Array("line\r\nbreak".utf8)))
        #expect(IMAPArgument.string("密码").encoded == .literal(Array("密码".utf8)))
        #expect(IMAPArgument.mailbox("已处理").encoded == .text(Array("\"&XfJZBHQG-\"".utf8)))
    }

    @Test("UID sets collapse runs into ranges")
    func sequenceSets() {
        #expect(IMAPSession.sequenceSet([1, 2, 3, 7, 9, 10]) == "1:3,7,9:10")
        #expect(IMAPSession.sequenceSet([5]) == "5")
        #expect(IMAPSession.sequenceSet([4, 2, 3, 3]) == "2:4")
    }

    @Test("XOAUTH2 initial response is base64 of user=…^Aauth=Bearer …^A^A")
    func xoauth2() throws {
        let encoded = IMAPSession.xoauth2Response(user: "someuser@example.com", token: "ya29.vF9dft4qmTc2Nvb3RlckBhdHRhdmlzdGEuY29tCg")
        let decoded = String(decoding: try #require(Data(base64Encoded: encoded)), as: UTF8.self)
        #expect(decoded == "user=someuser@example.com\u{1}auth=Bearer ya29.vF9dft4qmTc2Nvb3RlckBhdHRhdmlzdGEuY29tCg\u{1}\u{1}")
    }

    @Test("a header-only FETCH answer carries the header block")
    func headerFetch() throws {
        var parser = IMAPResponseParser()
        let header = "Subject: big\r\nFrom: a@b.c\r\n\r\n"
        parser.append(Array("* 3 FETCH (UID 17 RFC822.SIZE 99999 BODY[HEADER] {\(header.utf8.count)}\r\n\(header))\r\n".utf8))
        guard case .untagged(.fetch(3, let fetch))? = try parser.next() else {
            Issue.record("expected a FETCH")
            return
        }
        #expect(fetch.uid == 17 && fetch.size == 99999 && fetch.header == Array(header.utf8) && fetch.body == nil)
    }

    @Test("INTERNALDATE is read with its zone; malformed ones are refused")
    func internalDate() {
        #expect(IMAPDate.parse("17-Jul-1996 02:44:25 -0700") == Date(timeIntervalSince1970: 837_596_665))
        #expect(IMAPDate.parse(" 1-Feb-2026 08:00:00 +0800") == Date(timeIntervalSince1970: 1_769_904_000))
        #expect(IMAPDate.parse("17-Jly-1996 02:44:25 -0700") == nil)
        #expect(IMAPDate.parse("yesterday") == nil)
    }

    @Test("the folder cursor resumes after the stored UID, and re-scans after a UIDVALIDITY change")
    func cursor() {
        let fresh = FolderCursor(stored: nil, uidValidity: 7)
        #expect(fresh.nextUID == 1 && !fresh.rescan && fresh.chainHead == nil)
        let resumed = FolderCursor(stored: "7:41", uidValidity: 7)
        #expect(resumed.nextUID == 42 && !resumed.rescan && resumed.chainHead == "7:41")
        let changed = FolderCursor(stored: "7:41", uidValidity: 9)
        #expect(changed.nextUID == 1 && changed.rescan && changed.chainHead == "7:41", "the chain continues from what is stored")
        #expect(changed.checkpointValue(3) == "9:3")
    }
}

@Suite("Email channel configuration")
struct EmailConfigurationTests {
    func read(_ values: [String: ConfigValue], environment: [String: String] = [:]) -> (EmailConfiguration?, [String]) {
        let problems = ConfigReader.Problems()
        var all = values
        all["id"] = "mail"
        all["type"] = "email"
        let reader = ConfigReader(all, path: "channels[0]", problems: problems, environment: environment)
        let configuration = EmailConfiguration(reading: reader)
        return (configuration, problems.all.map { "\($0.path): \($0.message)" })
    }

    let minimal: [String: ConfigValue] = [
        "addresses": .list(["Support@Example.com"]), "host": "imap.example.com", "username": "support", "password": "env:IMAP_PASSWORD",
    ]

    @Test("a minimal channel gets the documented defaults")
    func defaults() throws {
        let (configuration, problems) = read(minimal, environment: ["IMAP_PASSWORD": "s3cret"])
        #expect(problems.isEmpty, "\(problems)")
        let value = try #require(configuration)
        #expect(value.addresses == ["support@example.com"])
        let imap = try #require(value.imap)
        #expect(imap.endpoint.security == .implicit && imap.endpoint.port == 993 && imap.endpoint.verifyCertificates)
        #expect(imap.folders == ["INBOX"] && imap.action == .leave && imap.useIdle && value.inbound == nil)
        #expect(value.maxMessageBytes == 25 << 20 && imap.credentials == .password("s3cret", loginOnly: false))
    }

    @Test("mistakes are reported with their key", arguments: [
        (["tls": "none"] as [String: ConfigValue], "channels[0].tls: none is allowed only for a loopback host"),
        (["action": "move"], "channels[0].moveTo: is required"),
        (["action": "move", "moveTo": "INBOX"], "channels[0].moveTo: must not be one of the ingested folders"),
        (["auth": "xoauth2"], "channels[0].auth: xoauth2 needs exactly one of oauth2TokenFile and oauth2TokenCommand"),
        (["addresses": .list(["not an address"])], "channels[0].addresses[0]: 'not an address' is not an email address"),
        (["maxMessageBytes": 10], "channels[0].maxMessageBytes: must be between"),
        (["folders": .list(["INBOX", "INBOX"])], "channels[0].folders: lists a folder twice"),
        (["hostname": "typo"], "channels[0].hostname"),
    ])
    func mistakes(_ change: [String: ConfigValue], _ expected: String) {
        var values = minimal
        values.merge(change) { $1 }
        let (configuration, problems) = read(values, environment: ["IMAP_PASSWORD": "s3cret"])
        #expect(configuration == nil)
        #expect(problems.contains { $0.hasPrefix(expected) }, "\(problems)")
    }

    @Test("tls none is accepted for loopback, with the plain port")
    func loopbackPlain() {
        var values = minimal
        values["host"] = "127.0.0.1"
        values["tls"] = "none"
        let (configuration, problems) = read(values, environment: ["IMAP_PASSWORD": "s3cret"])
        #expect(problems.isEmpty && configuration?.imap?.endpoint.port == 143)
    }

    @Test("an SMTP-only channel needs no IMAP keys and gets the listener defaults")
    func inboundOnly() throws {
        let (configuration, problems) = read([
            "addresses": .list(["support@example.com"]), "maxMessageBytes": 4096,
            "inbound": .map(["protocol": "lmtp", "listen": "[::1]:2424", "hostname": "mx.test"]),
        ])
        #expect(problems.isEmpty, "\(problems)")
        let inbound = try #require(configuration?.inbound)
        #expect(configuration?.imap == nil)
        #expect(inbound.wireProtocol == .lmtp && inbound.host == "::1" && inbound.port == 2424 && inbound.hostname == "mx.test")
        #expect(inbound.maxMessageSize == 4096, "the channel's maxMessageBytes is the default")
        #expect(inbound.maxRecipients == 100 && inbound.idleTimeout == .seconds(300) && !inbound.offersTLS && !inbound.requireTLS)
    }

    @Test("listener mistakes are reported with their key", arguments: [
        (["listen": "2525"] as [String: ConfigValue], "channels[0].inbound.listen: '2525' is not host:port"),
        (["protocol": "pop3"], "channels[0].inbound.protocol"),
        (["requireTLS": true], "channels[0].inbound.requireTLS: needs tls.cert and tls.key"),
        (["tls": .map(["cert": "/nonexistent.pem", "key": "/nonexistent.key"])], "channels[0].inbound.tls.cert: cannot read /nonexistent.pem"),
        (["maxRecipients": 0], "channels[0].inbound.maxRecipients: must be between"),
        (["lsiten": "127.0.0.1:25"], "channels[0].inbound.lsiten: is not a known key"),
    ])
    func inboundMistakes(_ inbound: [String: ConfigValue], _ expected: String) {
        let (configuration, problems) = read(["addresses": .list(["support@example.com"]), "inbound": .map(inbound)])
        #expect(configuration == nil)
        #expect(problems.contains { $0.hasPrefix(expected) }, "\(problems)")
    }

    @Test("outbound relay and autoReply: defaults and mistakes")
    func outbound() throws {
        let base: [String: ConfigValue] = ["addresses": .list(["Support@Example.com"]), "inbound": .map([:])]
        var values = base
        values["outbound"] = .map(["host": "smtp.example.com", "fromName": "Support"])
        values["autoReply"] = .map([:])
        let (configuration, problems) = read(values)
        #expect(problems.isEmpty, "\(problems)")
        let outbound = try #require(configuration?.outbound)
        #expect(outbound.security == .starttls && outbound.port == 587 && outbound.from == "support@example.com")
        #expect(outbound.messageIDDomain == "example.com" && outbound.username == nil)
        #expect(configuration?.autoReply?.window == .seconds(1440 * 60))
        for (change, expected) in [
            (["outbound": ConfigValue.map(["host": "smtp.example.com", "tls": "none"])], "channels[0].outbound.tls: none is allowed only for a loopback relay"),
            (["outbound": .map(["host": "smtp.example.com", "username": "u"])], "channels[0].outbound.username: username and password go together"),
            (["outbound": .map(["host": "smtp.example.com", "from": "nobody"])], "channels[0].outbound.from: 'nobody' is not an email address"),
            (["autoReply": .map(["text": "hi"])], "channels[0].autoReply: needs an outbound: relay"),
            (["outbound": .map(["host": "smtp.example.com"]), "autoReply": .map(["windowMinutes": 0])], "channels[0].autoReply.windowMinutes: must be between"),
        ] {
            var broken = base
            broken.merge(change) { $1 }
            let (result, found) = read(broken)
            #expect(result == nil && found.contains { $0.hasPrefix(expected) }, "\(found)")
        }
    }

    @Test("a channel without IMAP or a listener, or with IMAP keys but no host, is refused")
    func needsAWayIn() {
        let (none, problems) = read(["addresses": .list(["support@example.com"])])
        #expect(none == nil && problems.contains { $0.hasPrefix("channels[0].host: is required: an email channel needs") }, "\(problems)")
        let (partial, partialProblems) = read([
            "addresses": .list(["support@example.com"]), "username": "x", "inbound": .map([:]),
        ])
        #expect(partial == nil && partialProblems.contains { $0.hasPrefix("channels[0].host: is required when IMAP keys are given (username)") })
    }
}

@Suite("Mail intake: conversation or record")
struct MailIntakeTests {
    static let corpus = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("SwitchboardMIMETests/Fixtures/corpus")
    let intake = MailIntake(normalizer: MailNormalizer(channelID: ChannelID(rawValue: "mail"), ownAddresses: ["support@shop.example"]))

    func raw(_ name: String) throws -> [UInt8] { Array(try Data(contentsOf: Self.corpus.appendingPathComponent(name))) }

    @Test("a customer's mail is a contact carrying its checkpoint")
    func contact() throws {
        let checkpoint = ChannelCheckpoint(scope: "INBOX", expected: "1:4", value: "1:5")
        guard case .contact(let contact) = intake.submission(raw: try raw("01-plain-ascii.eml"), receivedAt: Date(), checkpoint: checkpoint)
        else {
            Issue.record("expected a contact")
            return
        }
        #expect(contact.checkpoint == checkpoint && contact.channelKind == .email)
    }

    @Test("a bounce is recorded, naming the message it reports on")
    func bounce() throws {
        guard case .recorded(let record) = intake.submission(raw: try raw("24-bounce-dsn.eml"), receivedAt: Date()) else {
            Issue.record("expected a record")
            return
        }
        #expect(record.reason == .bounce)
        #expect(record.relatesTo.first == "<reply.5521@shop.example>", "the returned message is named first: \(record.relatesTo)")
    }

    @Test("auto-replies, list mail and our own mail are recorded with their reason", arguments: [
        ("25-auto-reply.eml", RecordReason.autoSubmitted), ("26-mailing-list.eml", RecordReason.mailingList),
    ])
    func noise(_ file: String, _ reason: RecordReason) throws {
        guard case .recorded(let record) = intake.submission(raw: try raw(file), receivedAt: Date()) else {
            Issue.record("expected a record")
            return
        }
        #expect(record.reason == reason)
    }

    @Test("mail from our own address and mail that names us in X-Loop are recorded, not conversed with")
    func ownAndLoop() {
        let own = "From: Support <support@shop.example>\r\nTo: x@example.com\r\nSubject: ours\r\nMessage-ID: <o@x>\r\n\r\nhi\r\n"
        let loop = "From: a@example.com\r\nX-Loop: support@shop.example\r\nSubject: loop\r\nMessage-ID: <l@x>\r\n\r\nhi\r\n"
        if case .recorded(let record) = intake.submission(raw: Array(own.utf8), receivedAt: Date()) {
            #expect(record.reason == .ownAddress)
        } else {
            Issue.record("own mail must be recorded")
        }
        if case .recorded(let record) = intake.submission(raw: Array(loop.utf8), receivedAt: Date()) {
            #expect(record.reason == .loop)
        } else {
            Issue.record("looped mail must be recorded")
        }
    }

    @Test("an oversize message is recorded with headers only and a stable id")
    func oversize() {
        let header = Array("From: a@example.com\r\nSubject: huge\r\n\r\n".utf8)
        let first = intake.oversize(header: header, size: 90_000_000, limit: 1000, receivedAt: Date())
        let again = intake.oversize(header: header, size: 90_000_000, limit: 1000, receivedAt: Date())
        #expect(first.reason == .oversize && first.externalID.hasPrefix("sha256:") && first.externalID == again.externalID)
        #expect(first.detail.contains("90000000") && first.raw.bytes == Data(header))
    }
}
