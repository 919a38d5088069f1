import Foundation
import Testing

@testable import SwitchboardEmail

/// The reply sender against a scripted loopback relay that misbehaves: each failure says whether
/// trying again can help (the outbox retries or gives up on that) and what the relay said — never
/// a crash or a hang.
@Suite("SMTP client against a hostile relay")
struct HostileRelayTests {
    let server = HostileIMAPServerTests()

    /// `timeout` is generous except where silence is the point: on a loaded test machine the
    /// client's own task may wait seconds for a thread, and the idle timer must not fire meanwhile.
    func send(_ port: Int, security: OutboundSMTPSettings.Security = .none, timeout: Duration = .seconds(30))
        async -> Result<SMTPClient.Reply, SMTPClient.Failure>
    {
        let client = SMTPClient(
            settings: OutboundSMTPSettings(
                host: "127.0.0.1", port: port, security: security, from: "support@example.com", heloName: "test", timeout: timeout))
        do throws(SMTPClient.Failure) {
            return .success(try await client.send(from: "support@example.com", to: "customer@example.net", message: Array("Subject: x\r\n\r\nhi\r\n".utf8)))
        } catch {
            return .failure(error)
        }
    }

    /// A relay that answers the usual conversation, except where `override` says otherwise.
    static func relay(_ override: @escaping @Sendable (String) -> String?? = { _ in .none }) -> @Sendable (String, String) -> String? {
        { verb, _ in
            if let answer = override(verb.uppercased()) { return answer }
            switch verb.uppercased() {
            case "EHLO": return "250-relay.test\r\n250 SIZE 1000000\r\n"
            case "MAIL", "RCPT": return "250 2.1.0 ok\r\n"
            case "DATA": return "354 go ahead\r\n"
            case ".": return "250 2.0.0 queued\r\n"
            case "QUIT": return "221 bye\r\n"
            default: return ""
            }
        }
    }

    func failure(_ result: Result<SMTPClient.Reply, SMTPClient.Failure>) -> SMTPClient.Failure? {
        if case .failure(let failure) = result { return failure }
        return nil
    }

    @Test("a well-behaved relay: delivered, with its answer")
    func delivered() async throws {
        let result = try await server.withServer(greeting: "220 relay.test ESMTP\r\n", respond: Self.relay()) { await send($0) }
        guard case .success(let reply) = result else { Issue.record("\(result)"); return }
        #expect(reply.code == 250 && reply.lines == ["2.0.0 queued"])
    }

    @Test("refusals: 554 at the greeting and 550 to RCPT are final, with the relay's words; 421 and 451 are retried")
    func refusals() async throws {
        let gone = try await server.withServer(greeting: "554 5.7.1 no service for you\r\n", respond: Self.relay()) { await send($0) }
        #expect(failure(gone)?.isPermanent == true && failure(gone)?.description.contains("554 5.7.1 no service for you") == true)
        let busy = try await server.withServer(greeting: "421 4.3.2 busy\r\n", respond: Self.relay()) { await send($0) }
        #expect(failure(busy)?.isPermanent == false)
        let unknown = try await server.withServer(
            greeting: "220 relay.test\r\n", respond: Self.relay { $0 == "RCPT" ? "550 5.1.1 <customer@example.net>: no such user\r\n" : nil }
        ) { await send($0) }
        #expect(failure(unknown)?.isPermanent == true && failure(unknown)?.description.contains("550 5.1.1") == true)
        let later = try await server.withServer(
            greeting: "220 relay.test\r\n", respond: Self.relay { $0 == "." ? "451 4.3.0 try later\r\n" : nil }) { await send($0) }
        #expect(failure(later)?.isPermanent == false && failure(later)?.description.contains("end of DATA") == true)
    }

    @Test("garbage, silence, an endless reply, a close mid-DATA, no STARTTLS: retried, with a reason, within the timeout")
    func broken() async throws {
        let banner = try await server.withServer(greeting: "HTTP/1.1 400 Bad Request\r\n", respond: Self.relay()) { await send($0) }
        #expect(failure(banner)?.isPermanent == false && failure(banner)?.description.contains("not SMTP") == true)
        let started = ContinuousClock.now
        let silent = try await server.withServer(greeting: "", respond: Self.relay()) { await send($0, timeout: .seconds(1)) }
        #expect(failure(silent)?.description.contains("went silent") == true && ContinuousClock.now - started < .seconds(20))
        let endless = try await server.withServer(
            greeting: "220 relay.test\r\n", respond: Self.relay { $0 == "EHLO" ? String(repeating: "250-more\r\n", count: 300) : nil }
        ) { await send($0) }
        #expect(failure(endless)?.description.contains("endless reply") == true)
        let dropped = try await server.withServer(
            greeting: "220 relay.test\r\n", respond: Self.relay { $0 == "." ? .some(nil) : nil }) { await send($0) }
        #expect(failure(dropped)?.isPermanent == false && failure(dropped)?.description.contains("end of DATA") == true)
        let plain = try await server.withServer(greeting: "220 relay.test\r\n", respond: Self.relay()) { await send($0, security: .starttls) }
        #expect(failure(plain)?.description.contains("does not offer STARTTLS") == true && failure(plain)?.isPermanent == false)
    }
}
