import Foundation
import SwitchboardCore
import SwitchboardEmail
import SwitchboardStore
import SwitchboardStoreSQLite
import SwitchboardTesting
import Testing

/// The IMAP channel against a real Dovecot on loopback (started by `scripts/dovecot.sh`).
/// Serialized: one test restarts the server.
@Suite("Email over IMAP (Dovecot)", .serialized)
struct EmailIMAPTests {
    init() async throws { try await Dovecot.ensureRunning() }

    func start(_ channel: [String: ConfigValue]) async throws -> TestGateway {
        try await TestGateway.start(channels: [channel], factories: [EmailAdapterFactory()])
    }


    @Test("first sync: every corpus message stored once; noise recorded without conversations; checkpoint saved; marked seen")
    func firstSync() async throws {
        let folder = Dovecot.folder("first")
        try await Dovecot.tool(["append", "--folder", folder, Dovecot.corpus.path])
        let status = try await Dovecot.status(folder)
        #expect(status.messages == 36)
        let gateway = try await start(Dovecot.channel(folders: [folder], extra: ["action": "seen"]))
        try await gateway.use { gateway in
            let done = try await eventually { try await counts(gateway) == (33, 3) }
            let found = try await counts(gateway)
            #expect(done, "expected 33 messages and 3 records, got \(found)")
            let records = try await gateway.store.recordedContacts(RecordQuery()).items
            #expect(Set(records.map(\.reason)) == [.bounce, .autoSubmitted, .mailingList])
            let stats = try await gateway.store.statistics()
            #expect(stats.conversations == 33, "noise opens no conversations; every new mail opens one")
            let checkpoint = try await gateway.store.checkpoint(channel: ChannelID(rawValue: "mail"), scope: folder)
            #expect(checkpoint == "\(status.uidValidity):36")
            #expect(try await eventually { try await Dovecot.status(folder).unseen == 0 }, "action seen marks every committed message")
            // The records API lists them, and their raw bytes are downloadable.
            let listed = try await gateway.client.get("/api/v1/records?channel=mail", bearer: TestGateway.adminToken)
            let body = try #require(try JSONSerialization.jsonObject(with: listed.body) as? [String: Any])
            let items = try #require(body["items"] as? [[String: Any]])
            #expect(listed.status == 200 && items.count == 3)
            let bounce = try #require(items.first { $0["reason"] as? String == "bounce" })
            let raw = try await gateway.client.get("/api/v1/raw/\(bounce["id"] as? String ?? "")", bearer: TestGateway.adminToken)
            #expect(raw.status == 200 && String(decoding: raw.body, as: UTF8.self).contains("multipart/report"))
            #expect(try await gateway.client.get("/api/v1/records", bearer: nil).status == 401)
            for bad in ["limit=0", "limit=abc", "cursor=-1", "channel=no%20spaces"] {
                let response = try await gateway.client.get("/api/v1/records?\(bad)", bearer: TestGateway.adminToken)
                #expect(response.status == 400, "\(bad) → \(response.status)")
            }
            #expect(try await gateway.client.get("/api/v1/raw/unknown-id", bearer: TestGateway.adminToken).status == 404)
        }
    }

    @Test("IDLE: a message appended while the gateway waits is stored within 2 s")
    func idleDelivery() async throws {
        let folder = Dovecot.folder("idle")
        try await Dovecot.append([Dovecot.message(id: "<idle-0@example.net>", subject: "warm-up")], to: folder)
        let gateway = try await start(Dovecot.channel(folders: [folder]))
        try await gateway.use { gateway in
            #expect(try await eventually { try await counts(gateway).messages == 1 })
            try await Task.sleep(for: .milliseconds(500))  // let the session settle into IDLE
            for round in 1...3 {
                try await Dovecot.append([Dovecot.message(id: "<idle-\(round)@example.net>", subject: "new \(round)")], to: folder)
                let appended = ContinuousClock.now
                let arrived = try await eventually(timeout: .seconds(10)) { try await counts(gateway).messages == 1 + round }
                let elapsed = ContinuousClock.now - appended
                #expect(arrived && elapsed < .seconds(2), "round \(round): stored after \(elapsed)")
            }
        }
    }

    @Test("polling: with IDLE off, new mail is found on the next poll")
    func polling() async throws {
        let folder = Dovecot.folder("poll")
        try await Dovecot.append([Dovecot.message(id: "<poll-0@example.net>", subject: "first")], to: folder)
        let gateway = try await start(Dovecot.channel(folders: [folder], extra: ["idle": false, "pollIntervalSeconds": 1]))
        try await gateway.use { gateway in
            #expect(try await eventually { try await counts(gateway).messages == 1 })
            try await Dovecot.append([Dovecot.message(id: "<poll-1@example.net>", subject: "second")], to: folder)
            #expect(try await eventually(timeout: .seconds(10)) { try await counts(gateway).messages == 2 })
        }
    }

    @Test("reconnect: the server restarts; the channel reconnects by itself and goes on")
    func reconnectAfterRestart() async throws {
        let folder = Dovecot.folder("restart")
        try await Dovecot.append([Dovecot.message(id: "<restart-1@example.net>", subject: "before")], to: folder)
        let gateway = try await start(Dovecot.channel(folders: [folder]))
        try await gateway.use { gateway in
            #expect(try await eventually { try await counts(gateway).messages == 1 })
            try await Dovecot.restart()
            try await Dovecot.append([Dovecot.message(id: "<restart-2@example.net>", subject: "after")], to: folder)
            #expect(try await eventually(timeout: .seconds(30)) { try await counts(gateway).messages == 2 })
        }
    }

    @Test("UIDVALIDITY change: the folder is re-scanned and nothing is stored twice (Message-ID or content hash)")
    func uidValidityChange() async throws {
        let folder = Dovecot.folder("validity")
        let messages = (1...4).map { Dovecot.message(id: "<v-\($0)@example.net>", subject: "v\($0)") }
            + [Dovecot.message(id: nil, subject: "no message id", body: "identified by its bytes")]
        try await Dovecot.append(messages, to: folder)
        let first = try await Dovecot.status(folder)
        let gateway = try await start(Dovecot.channel(folders: [folder], extra: ["idleRefreshSeconds": 5]))
        try await gateway.use { gateway in try await rescan(gateway, folder: folder, messages: messages, before: first.uidValidity) }
    }

    private func rescan(_ gateway: TestGateway, folder: String, messages: [Data], before: UInt32) async throws {
        let store = gateway.store
        #expect(try await eventually { try await store.statistics().messages == 5 })
        try await Dovecot.tool(["recreate", "--folder", folder])
        try await Dovecot.append(messages + [Dovecot.message(id: "<v-new@example.net>", subject: "new")], to: folder)
        let second = try await Dovecot.status(folder).uidValidity
        #expect(second != before, "Dovecot gave the new folder a new UIDVALIDITY")
        // The session notices when it next selects the folder (after IDLE's 5 s refresh).
        let expected = "\(second):6"
        let moved = try await eventually(timeout: .seconds(30)) {
            try await store.checkpoint(channel: ChannelID(rawValue: "mail"), scope: folder) == expected
        }
        #expect(moved)
        let total = try await store.statistics().messages
        #expect(total == 6, "only the new message was added")
    }

    @Test("move after ingest: committed messages leave the folder for the target, which the channel creates")
    func moveAfterIngest() async throws {
        let folder = Dovecot.folder("move")
        let target = folder + "-done"
        try await Dovecot.append((1...5).map { Dovecot.message(id: "<m-\($0)@example.net>", subject: "m\($0)") }, to: folder)
        // The target does not exist yet: the channel creates it.
        let gateway = try await start(Dovecot.channel(folders: [folder], extra: ["action": "move", "moveTo": .string(target)]))
        try await gateway.use { gateway in
            #expect(try await eventually { try await counts(gateway).messages == 5 })
            let moved = try await Self.waitForMove(from: folder, to: target, count: 5)
            #expect(moved)
        }
    }

    static func waitForMove(from folder: String, to target: String, count: Int) async throws -> Bool {
        try await eventually {
            let source = try await Dovecot.status(folder).messages
            let destination = (try? await Dovecot.status(target).messages) ?? -1
            return source == 0 && destination == count
        }
    }

    @Test("a message over maxMessageBytes is recorded with its headers only, never dropped")
    func oversize() async throws {
        let folder = Dovecot.folder("big")
        let big = Dovecot.message(id: "<big@example.net>", subject: "large", body: String(repeating: "x", count: 8000))
        try await Dovecot.append([big, Dovecot.message(id: "<small@example.net>", subject: "small")], to: folder)
        let gateway = try await start(Dovecot.channel(folders: [folder], extra: ["maxMessageBytes": 4096]))
        try await gateway.use { gateway in
            #expect(try await eventually { try await counts(gateway) == (1, 1) })
            let record = try await gateway.store.recordedContacts(RecordQuery()).items.first
            #expect(record?.reason == .oversize && record?.externalID == "<big@example.net>")
            let raw = try await gateway.store.rawPayload(record?.id ?? "")
            let text = String(decoding: raw?.bytes ?? Data(), as: UTF8.self)
            #expect(text.contains("Subject: large") && !text.contains("xxxx"), "headers kept, body not")
        }
    }

    @Test("TLS: implicit TLS and STARTTLS verify the server against the configured CA; an unknown CA is refused")
    func tls() async throws {
        let implicit = IMAPEndpoint(host: "127.0.0.1", port: Dovecot.tlsPort, security: .implicit, caFile: Dovecot.caFile)
        let session = try await IMAPSession.open(implicit, authentication: .password(user: "agent", password: "secret"), maxLiteralBytes: 1 << 20)
        #expect(try await session.select("INBOX").uidValidity > 0)
        await session.logout()
        let starttls = IMAPEndpoint(host: "localhost", port: Dovecot.plainPort, security: .starttls, caFile: Dovecot.caFile)
        let upgraded = try await IMAPSession.open(starttls, authentication: .login(user: "agent", password: "secret"), maxLiteralBytes: 1 << 20)
        #expect(!upgraded.capabilities.contains("STARTTLS"), "capabilities were asked again after the upgrade")
        await upgraded.logout()
        let untrusted = IMAPEndpoint(host: "127.0.0.1", port: Dovecot.tlsPort, security: .implicit, caFile: Dovecot.directory + "/tls/other.pem")
        await #expect(throws: IMAPError.self) {
            _ = try await IMAPSession.open(untrusted, authentication: .password(user: "agent", password: "secret"), maxLiteralBytes: 1 << 20)
        }
        do {
            _ = try await IMAPSession.open(untrusted, authentication: .password(user: "agent", password: "secret"), maxLiteralBytes: 1 << 20)
        } catch {
            #expect(error.kind == .tls || error.kind == .closed, "\(error)")
        }
    }

    @Test("a wrong password is an authentication error naming the refusal")
    func badPassword() async throws {
        let endpoint = IMAPEndpoint(host: "127.0.0.1", port: Dovecot.plainPort, security: .none)
        do {
            _ = try await IMAPSession.open(endpoint, authentication: .password(user: "agent", password: "wrong"), maxLiteralBytes: 1 << 20)
            Issue.record("login with a wrong password succeeded")
        } catch {
            #expect(error.kind == .authentication && error.message.contains("refused"), "\(error)")
        }
    }
}

/// (messages, recorded contacts) in a gateway's store.
@Sendable func counts(_ gateway: TestGateway) async throws -> (messages: Int, records: Int) {
    let stats = try await gateway.store.statistics()
    let records = try await gateway.store.recordedContacts(RecordQuery(limit: 500)).items.count
    return (stats.messages, records)
}
