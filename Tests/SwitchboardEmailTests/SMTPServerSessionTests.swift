import Foundation
import Testing

@testable import SwitchboardEmail

/// The SMTP/LMTP state machine, byte for byte, without a socket.
@Suite("SMTP server session")
struct SMTPServerSessionTests {
    static let own: Set<String> = ["support@example.com"]

    func session(_ settings: SMTPInboundSettings = SMTPInboundSettings(hostname: "mx.test")) -> SMTPServerSession {
        SMTPServerSession(settings: settings) { SMTPListener.accepts($0, addresses: Self.own) }
    }

    /// Feeds `text` and returns the actions.
    func feed(_ session: inout SMTPServerSession, _ text: String, at now: ContinuousClock.Instant = .now) -> [SMTPServerSession.Action] {
        session.receive(Array(text.utf8))
        return session.process(now: now)
    }

    func codes(_ actions: [SMTPServerSession.Action]) -> [Int] {
        actions.compactMap { if case .reply(let reply) = $0 { reply.code } else { nil } }
    }

    func delivered(_ actions: [SMTPServerSession.Action]) -> (SMTPServerSession.Envelope, String)? {
        for case .deliver(let envelope, let bytes) in actions { return (envelope, String(decoding: bytes, as: UTF8.self)) }
        return nil
    }

    @Test("EHLO lists the extensions; STARTTLS only when a certificate is configured")
    func ehlo() throws {
        var plain = session()
        let reply = try #require(feed(&plain, "EHLO client.test\r\n").first)
        guard case .reply(let answer) = reply else { Issue.record("no reply"); return }
        #expect(answer.wire.hasPrefix("250-mx.test greets client.test\r\n"))
        #expect(answer.wire.contains("250-PIPELINING\r\n") && answer.wire.contains("250-SIZE 26214400\r\n"))
        #expect(answer.wire.hasSuffix("250 ENHANCEDSTATUSCODES\r\n") && !answer.wire.contains("STARTTLS"))
        var tls = session(SMTPInboundSettings(hostname: "mx.test", certificateFile: "c.pem", keyFile: "k.pem"))
        guard case .reply(let tlsAnswer)? = feed(&tls, "ehlo client.test\r\n").first else { Issue.record("no reply"); return }
        #expect(tlsAnswer.wire.hasSuffix("250 STARTTLS\r\n"))
    }

    @Test("a transaction: the message is dot-unstuffed, handed out once, and 250 comes only after the commit")
    func transaction() throws {
        var smtp = session()
        #expect(codes(feed(&smtp, "EHLO c\r\nMAIL FROM:<a@example.net> SIZE=100 BODY=8BITMIME\r\nRCPT TO:<Support@Example.com>\r\nDATA\r\n")) == [250, 250, 250, 354])
        let actions = feed(&smtp, "Subject: hi\r\n\r\n..leading dot\r\n.\r\nQUIT\r\n")
        let (envelope, body) = try #require(delivered(actions))
        #expect(body == "Subject: hi\r\n\r\n.leading dot\r\n")
        #expect(envelope.sender == "a@example.net" && envelope.recipients == ["Support@Example.com"] && envelope.helo == "c")
        #expect(codes(actions).isEmpty, "nothing is answered before the commit, QUIT included")
        #expect(smtp.process(now: .now).isEmpty, "input waits while delivering")
        let after = smtp.delivered(.stored(reference: "message m1"), now: .now)
        #expect(codes(after) == [250, 221])
        #expect(after.last == .close)
    }

    @Test("only CRLF.CRLF ends a message: a bare LF around the dot does not (no smuggling)")
    func terminator() throws {
        var smtp = session()
        _ = feed(&smtp, "HELO c\r\nMAIL FROM:<a@example.net>\r\nRCPT TO:<support@example.com>\r\nDATA\r\n")
        #expect(delivered(feed(&smtp, "one\n.\nMAIL FROM:<evil@example.org>\r\n")) == nil)
        #expect(delivered(feed(&smtp, "two\r\n.\n")) == nil)
        let (_, body) = try #require(delivered(feed(&smtp, "three\r\n.\r\n")))
        // The lone dots stay lines of the message (unstuffed like any line starting with a dot).
        #expect(body == "one\n\nMAIL FROM:<evil@example.org>\r\ntwo\r\n\nthree\r\n")
    }

    @Test("the same bytes split at every position give the same message")
    func splitInput() throws {
        let script = "EHLO c\r\nMAIL FROM:<a@example.net>\r\nRCPT TO:<support@example.com>\r\nDATA\r\nx: y\r\n\r\n.a\r\nb\r\n.\r\n"
        let bytes = Array(script.utf8)
        for cut in stride(from: 1, to: bytes.count, by: 3) {
            var smtp = session()
            smtp.receive(bytes[..<cut])
            var actions = smtp.process(now: .now)
            smtp.receive(bytes[cut...])
            actions += smtp.process(now: .now)
            let (_, body) = try #require(delivered(actions), "cut at \(cut)")
            #expect(body == "x: y\r\n\r\na\r\nb\r\n", "cut at \(cut)")
        }
    }

    @Test("pipelined messages: the second is answered only after the first is committed")
    func pipelined() throws {
        var smtp = session()
        let first = feed(
            &smtp,
            "EHLO c\r\nMAIL FROM:<a@example.net>\r\nRCPT TO:<support@example.com>\r\nDATA\r\n1\r\n.\r\nMAIL FROM:<b@example.net>\r\nRCPT TO:<support@example.com>\r\nDATA\r\n2\r\n.\r\n")
        #expect(try #require(delivered(first)).1 == "1\r\n")
        let second = smtp.delivered(.stored(reference: "m1"), now: .now)
        #expect(codes(second) == [250, 250, 250, 354])
        #expect(try #require(delivered(second)).0.sender == "b@example.net")
        #expect(codes(smtp.delivered(.failed(.storeFailed), now: .now)) == [451])
    }

    @Test("unknown recipients are refused with 550 5.1.1; sub-addresses of ours are accepted")
    func recipients() {
        var smtp = session()
        let actions = feed(&smtp, "EHLO c\r\nMAIL FROM:<a@example.net>\r\nRCPT TO:<other@example.com>\r\nRCPT TO:<support+billing@example.com>\r\nDATA\r\n")
        guard case .reply(let refused) = actions[2] else { Issue.record("no reply"); return }
        #expect(refused.wire == "550 5.1.1 <other@example.com>: recipient address rejected: no such mailbox here\r\n")
        #expect(codes(actions) == [250, 250, 550, 250, 354])
        var none = session()
        #expect(codes(feed(&none, "EHLO c\r\nMAIL FROM:<a@example.net>\r\nRCPT TO:<x@example.org>\r\nDATA\r\n")) == [250, 250, 550, 554])
    }

    @Test("size limits: SIZE over the limit at MAIL, and a longer message read to its end, then 552")
    func size() {
        var smtp = session(SMTPInboundSettings(hostname: "mx.test", maxMessageSize: 1024))
        #expect(codes(feed(&smtp, "EHLO c\r\nMAIL FROM:<a@example.net> SIZE=2048\r\n")) == [250, 552])
        _ = feed(&smtp, "MAIL FROM:<a@example.net>\r\nRCPT TO:<support@example.com>\r\nDATA\r\n")
        let big = String(repeating: "0123456789abcdef\r\n", count: 100)
        let actions = feed(&smtp, big + ".\r\nNOOP\r\n")
        #expect(delivered(actions) == nil)
        guard case .reply(let reply)? = actions.first else { Issue.record("no reply"); return }
        #expect(reply.wire == "552 5.3.4 message exceeds the size limit of this server\r\n")
        #expect(codes(actions) == [552, 250], "the session goes on")
    }

    @Test("limits: recipients, line length, errors and command rate")
    func limits() {
        var smtp = session(SMTPInboundSettings(hostname: "mx.test", maxRecipients: 2, maxLineLength: 512, maxErrors: 3))
        #expect(codes(feed(&smtp, "EHLO c\r\nMAIL FROM:<a@example.net>\r\n" + String(repeating: "RCPT TO:<support@example.com>\r\n", count: 3))) == [250, 250, 250, 250, 452])
        #expect(codes(feed(&smtp, "NOOP " + String(repeating: "x", count: 600) + "\r\nNOOP\r\n")) == [500, 250])
        let closing = feed(&smtp, "BOGUS\r\nBOGUS\r\nNOOP\r\n")
        #expect(codes(closing) == [500, 421] && closing.last == .close, "the fourth error ends the session")
        var fast = session(SMTPInboundSettings(hostname: "mx.test", maxCommandsPerSecond: 5))
        let now = ContinuousClock.now
        let burst = feed(&fast, String(repeating: "NOOP\r\n", count: 12), at: now)
        #expect(codes(burst) == Array(repeating: 250, count: 10) + [421] && burst.last == .close)
        // Commands that move mail are paced by the commits, not by the bucket.
        var busy = session(SMTPInboundSettings(hostname: "mx.test", maxCommandsPerSecond: 5))
        let mail = feed(&busy, "EHLO c\r\nMAIL FROM:<a@example.net>\r\n" + String(repeating: "RCPT TO:<support@example.com>\r\n", count: 30), at: now)
        #expect(codes(mail) == Array(repeating: 250, count: 32))
    }

    @Test("sequence errors: MAIL before EHLO, RCPT before MAIL, DATA before RCPT, nested MAIL, AUTH")
    func sequence() {
        var smtp = session()
        #expect(codes(feed(&smtp, "MAIL FROM:<a@example.net>\r\nEHLO c\r\nRCPT TO:<support@example.com>\r\nDATA\r\nMAIL FROM:<a@example.net>\r\nMAIL FROM:<b@example.net>\r\nAUTH PLAIN\r\nMAIL FROM:a@example.net\r\n")) == [503, 250, 503, 503, 250, 503, 502, 501])
    }

    @Test("BDAT (RFC 3030): chunks taken byte for byte, 250 per chunk, the message on LAST; refused chunks still read")
    func chunking() throws {
        var smtp = session(SMTPInboundSettings(hostname: "mx.test", maxMessageSize: 1024))
        guard case .reply(let ehlo)? = feed(&smtp, "EHLO c\r\n").first else { Issue.record("no reply"); return }
        #expect(ehlo.wire.contains("250-CHUNKING\r\n"))
        let first = feed(&smtp, "MAIL FROM:<a@example.net>\r\nRCPT TO:<support@example.com>\r\nBDAT 7\r\n.hello\n")
        #expect(codes(first) == [250, 250, 250])
        guard case .reply(let octets)? = first.last else { Issue.record("no reply"); return }
        #expect(octets.wire == "250 2.0.0 7 octets received\r\n")
        let last = feed(&smtp, "BDAT 8 LAST\r\n world\r\nNOOP\r\n")
        let (_, body) = try #require(delivered(last))
        #expect(body == ".hello\n world\r\n", "no dot-unstuffing, no line rules in chunks")
        #expect(codes(smtp.delivered(.stored(reference: "m"), now: .now)) == [250, 250], "NOOP answered after the message")
        // Refused: the chunk (which looks like commands) is read and dropped; the session goes on.
        #expect(codes(feed(&smtp, "BDAT 6\r\nQUIT\r\nNOOP\r\n")) == [503, 250])
        // DATA may not follow BDAT in one transaction; too big is answered at LAST.
        _ = feed(&smtp, "MAIL FROM:<a@example.net>\r\nRCPT TO:<support@example.com>\r\nBDAT 3\r\nabc")
        #expect(codes(feed(&smtp, "DATA\r\n")) == [503])
        let big = feed(&smtp, "BDAT 2000 LAST\r\n" + String(repeating: "x", count: 2000) + "NOOP\r\n")
        #expect(delivered(big) == nil && codes(big) == [552, 250])
        // A BDAT without a readable size leaves the stream unreadable: the session ends.
        let broken = feed(&smtp, "BDAT ten\r\n")
        #expect(codes(broken) == [501] && broken.last == .close)
    }

    @Test("LMTP: LHLO only, and one reply per accepted recipient after DATA")
    func lmtp() throws {
        var lmtp = session(SMTPInboundSettings(wireProtocol: .lmtp, hostname: "mx.test"))
        #expect(lmtp.greeting.wire == "220 mx.test LMTP Switchboard ready\r\n")
        #expect(codes(feed(&lmtp, "EHLO c\r\nLHLO c\r\nMAIL FROM:<a@example.net>\r\nRCPT TO:<support@example.com>\r\nRCPT TO:<nobody@example.com>\r\nRCPT TO:<support+x@example.com>\r\nDATA\r\nhi\r\n.\r\n")) == [500, 250, 250, 250, 550, 250, 354])
        let replies = lmtp.delivered(.stored(reference: "m1"), now: .now)
        #expect(replies.compactMap { if case .reply(let r) = $0 { r.wire } else { nil } } == [
            "250 2.1.5 <support@example.com> OK, stored as m1\r\n", "250 2.1.5 <support+x@example.com> OK, stored as m1\r\n",
        ])
        _ = feed(&lmtp, "MAIL FROM:<a@example.net>\r\nRCPT TO:<support@example.com>\r\nDATA\r\nhi\r\n.\r\n")
        #expect(codes(lmtp.delivered(.failed(.storeFailed), now: .now)) == [451])
    }

    @Test("STARTTLS: what the client sent after it in the clear is thrown away; the session starts over")
    func startTLS() {
        var smtp = session(SMTPInboundSettings(hostname: "mx.test", certificateFile: "c.pem", keyFile: "k.pem", requireTLS: true))
        #expect(codes(feed(&smtp, "EHLO c\r\nMAIL FROM:<a@example.net>\r\n")) == [250, 530])
        let actions = feed(&smtp, "STARTTLS\r\nMAIL FROM:<injected@example.org>\r\n")
        #expect(actions.count == 1)
        guard case .startTLS(let ready)? = actions.first else { Issue.record("no STARTTLS"); return }
        #expect(ready.code == 220)
        smtp.tlsStarted()
        #expect(codes(feed(&smtp, "MAIL FROM:<a@example.net>\r\n")) == [503], "EHLO again first")
        #expect(codes(feed(&smtp, "EHLO c\r\nMAIL FROM:<a@example.net>\r\nSTARTTLS\r\n")) == [250, 250, 503])
    }

    @Test("a shutdown during DATA lets the message finish, then says 421")
    func shutdown() {
        var smtp = session()
        _ = feed(&smtp, "EHLO c\r\nMAIL FROM:<a@example.net>\r\nRCPT TO:<support@example.com>\r\nDATA\r\nhi\r\n")
        smtp.closeWhenIdle = true
        #expect(delivered(feed(&smtp, ".\r\n")) != nil)
        let actions = smtp.delivered(.stored(reference: "m"), now: .now)
        #expect(codes(actions) == [250, 421] && actions.last == .close)
    }
}
