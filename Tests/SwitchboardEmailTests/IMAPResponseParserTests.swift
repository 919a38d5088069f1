import Foundation
import SwitchboardCore
import SwitchboardEmail
import Testing

@Suite("IMAP response parser")
struct IMAPResponseParserTests {
    static func parseAll(_ text: String, chunk: Int = .max) throws -> [IMAPResponse] {
        var parser = IMAPResponseParser()
        var responses: [IMAPResponse] = []
        let bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let end = min(bytes.count, offset + chunk)
            parser.append(bytes[offset..<end])
            offset = end
            while let response = try parser.next() { responses.append(response) }
        }
        return responses
    }

    @Test("greeting, capabilities, status codes, tagged results and continuations")
    func basics() throws {
        let responses = try Self.parseAll(
            "* OK [CAPABILITY IMAP4rev1 IDLE UIDPLUS] Dovecot ready.\r\n* CAPABILITY IMAP4rev1 IDLE MOVE\r\n"
                + "* 3 EXISTS\r\n* 0 RECENT\r\n* OK [UIDVALIDITY 1790000000] UIDs valid\r\n* OK [UIDNEXT 4] Predicted next UID\r\n"
                + "* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)\r\n* SEARCH 1 2 3\r\n* 2 EXPUNGE\r\n"
                + "A1 OK [READ-WRITE] Select completed.\r\nA2 NO [AUTHENTICATIONFAILED] Authentication failed.\r\n+ idling\r\n")
        #expect(responses.count == 12)
        #expect(responses[0] == .untagged(.status(.ok, code: .capability(["IMAP4REV1", "IDLE", "UIDPLUS"]), text: "Dovecot ready.")))
        #expect(responses[1] == .untagged(.capability(["IMAP4REV1", "IDLE", "MOVE"])))
        #expect(responses[2] == .untagged(.exists(3)))
        #expect(responses[4] == .untagged(.status(.ok, code: .uidValidity(1_790_000_000), text: "UIDs valid")))
        #expect(responses[5] == .untagged(.status(.ok, code: .uidNext(4), text: "Predicted next UID")))
        #expect(responses[6] == .untagged(.flags(["\\Answered", "\\Flagged", "\\Deleted", "\\Seen", "\\Draft"])))
        #expect(responses[7] == .untagged(.search([1, 2, 3])))
        #expect(responses[8] == .untagged(.expunge(2)))
        #expect(responses[9] == .tagged(tag: "A1", status: .ok, code: .other("READ-WRITE"), text: "Select completed."))
        #expect(responses[10] == .tagged(tag: "A2", status: .no, code: .other("AUTHENTICATIONFAILED"), text: "Authentication failed."))
        #expect(responses[11] == .continuation("idling"))
    }

    static let body = "From: a@b.example\r\nSubject: (not a list) \"quoted\"\r\n\r\n* OK this line is inside the body\r\nA9 OK neither is this\r\n"

    static var fetchText: String {
        "* 1 FETCH (UID 42 RFC822.SIZE \(body.utf8.count) FLAGS (\\Seen $Forwarded) INTERNALDATE \"04-Mar-2026 04:54:00 +0800\" BODY[] {\(body.utf8.count)}\r\n\(body))\r\n"
            + "* 2 FETCH (UID 43 FLAGS () BODY[] NIL)\r\nA3 OK Fetch completed.\r\n"
    }

    @Test("FETCH with a literal body holding CRLFs, parentheses, quotes and fake responses")
    func fetch() throws {
        let responses = try Self.parseAll(Self.fetchText)
        #expect(responses.count == 3)
        guard case .untagged(.fetch(let sequence, let fetch)) = responses[0] else {
            Issue.record("not a fetch: \(responses[0])")
            return
        }
        #expect(sequence == 1)
        #expect(fetch.uid == 42)
        #expect(fetch.size == Self.body.utf8.count)
        #expect(fetch.flags == ["\\Seen", "$Forwarded"])
        #expect(fetch.internalDate == "04-Mar-2026 04:54:00 +0800")
        #expect(fetch.body == Array(Self.body.utf8))
        #expect(responses[1] == .untagged(.fetch(sequence: 2, IMAPFetch(uid: 43, flags: []))))
        #expect(responses[2] == .tagged(tag: "A3", status: .ok, code: nil, text: "Fetch completed."))
    }

    @Test("the same bytes in any chunking give the same responses", arguments: [1, 2, 3, 7, 64])
    func chunking(size: Int) throws {
        #expect(try Self.parseAll(Self.fetchText, chunk: size) == Self.parseAll(Self.fetchText))
    }

    @Test("malformed and oversized responses are errors, not crashes")
    func malformed() {
        for text in ["\r\n", "A1 MAYBE done\r\n", "* 1 FETCH UID 3\r\n", "* 1 FETCH (FLAGS (\\Seen)\r\n", "* OK [UIDVALIDITY 3 never closed\r\n",
            "* 1 FETCH (BODY[] {x}\r\n)\r\n", "* 1 FETCH (INTERNALDATE \"open)\r\n"]
        {
            #expect(throws: IMAPParseError.self, "\(text.debugDescription)") { _ = try Self.parseAll(text) }
        }
        var parser = IMAPResponseParser(maxLiteralBytes: 10)
        parser.append(Array("* 1 FETCH (BODY[] {11}\r\n".utf8))
        #expect(throws: IMAPParseError.self) { _ = try parser.next() }
        var lines = IMAPResponseParser(maxLiteralBytes: 10, maxLineBytes: 100)
        lines.append([UInt8](repeating: 0x41, count: 200))
        #expect(throws: IMAPParseError.self) { _ = try lines.next() }
    }

    @Test("a response split before its literal's bytes arrive waits for them")
    func waitsForLiteral() throws {
        var parser = IMAPResponseParser()
        parser.append(Array("* 5 FETCH (UID 9 BODY[] {5}\r\nabc".utf8))
        #expect(try parser.next() == nil)
        parser.append(Array("de)\r\n".utf8))
        #expect(try parser.next() == .untagged(.fetch(sequence: 5, IMAPFetch(uid: 9, body: Array("abcde".utf8)))))
        #expect(try parser.next() == nil)
    }

    @Test("seeded mutations of a session: errors or responses, never a crash")
    func mutations() {
        let session = Array(Self.fetchText.utf8)
        var random = SeededRandom(seed: 9051)
        var parsedResponses = 0
        for _ in 0..<3_000 {
            var bytes = session
            for _ in 0..<Int.random(in: 1...6, using: &random) {
                let position = Int.random(in: 0..<bytes.count, using: &random)
                switch Int.random(in: 0..<4, using: &random) {
                case 0: bytes[position] = [0x7B, 0x7D, 0x28, 0x29, 0x22, 0x5C, 0x0D, 0x0A, 0x20, 0x39][Int.random(in: 0..<10, using: &random)]
                case 1: bytes.remove(at: position)
                case 2: bytes.insert(UInt8.random(in: 0...255, using: &random), at: position)
                default: bytes.removeSubrange(position...)
                }
                if bytes.isEmpty { break }
            }
            var parser = IMAPResponseParser(maxLiteralBytes: 4096)
            parser.append(bytes)
            while true {
                guard let response = try? parser.next() else { break }
                _ = response
                parsedResponses += 1
            }
        }
        #expect(parsedResponses > 0)
    }
}
