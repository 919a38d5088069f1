import Foundation
import SwitchboardCore
import SwitchboardStore

/// What a push adapter's tests provide so the shared conformance kit can exercise it.
///
/// The kit starts a real gateway with the adapter's channel, speaks HTTP to it on loopback, and
/// checks the promises every push channel makes (DESIGN.md §4, RELIABILITY.md): redelivery
/// creates no duplicate, bad signatures and stale timestamps are refused and store nothing,
/// malformed, hostile and oversize bodies get a clear 4xx while the gateway keeps serving, and
/// text is stored verbatim.
public protocol PushAdapterHarness: Sendable {
    /// The factory under test.
    var factory: any ChannelAdapterFactory { get }
    /// The channel's configuration entry, including `id` and `type`.
    func channelConfig(id: String) -> [String: ConfigValue]
    /// A correctly signed request delivering a new text contact with idempotency key `externalID`.
    func contactRequest(channel: String, externalID: String, sender: String, text: String, now: Date) -> HarnessRequest
    /// The channel's external id the stored message gets for `externalID` (usually the same).
    func storedExternalID(for externalID: String) -> String
    /// `request` with its signature no longer matching (e.g. a body changed by a proxy).
    func tampered(_ request: HarnessRequest) -> HarnessRequest
    /// `request` without any signature.
    func unsigned(_ request: HarnessRequest) -> HarnessRequest
    /// A correctly signed request whose timestamp is outside the allowed window, or `nil` when
    /// the channel has no timestamp.
    func staleRequest(channel: String, externalID: String, sender: String, text: String, now: Date) -> HarnessRequest?
    /// A correctly signed request carrying exactly `body`.
    func signedRequest(channel: String, body: Data, now: Date) -> HarnessRequest
    /// Bodies the channel must refuse (signed correctly), with the status each must get.
    var hostileBodies: [HostileBody] { get }
    /// Statuses meaning "accepted, new" and "accepted, already had it".
    var acceptedStatuses: Set<Int> { get }
    var duplicateStatuses: Set<Int> { get }
}

extension PushAdapterHarness {
    public func storedExternalID(for externalID: String) -> String { externalID }
}

/// One HTTP request to a channel route.
public struct HarnessRequest: Sendable {
    public var method: String
    public var path: String
    public var headers: [(name: String, value: String)]
    public var body: Data

    public init(method: String = "POST", path: String, headers: [(name: String, value: String)], body: Data) {
        self.method = method
        self.path = path
        self.headers = headers
        self.body = body
    }
}

/// A body a channel must refuse, and with what status.
public struct HostileBody: Sendable {
    public var name: String
    public var body: Data
    public var expectedStatus: Int

    public init(_ name: String, _ body: Data, expectedStatus: Int = 400) {
        self.name = name
        self.body = body
        self.expectedStatus = expectedStatus
    }

    /// Hostile bodies every JSON channel must refuse with 400.
    public static var standardJSON: [HostileBody] {
        [
            HostileBody("empty body", Data()),
            HostileBody("truncated JSON", Data(#"{"id": "x", "visitor": {"#.utf8)),
            HostileBody("JSON null", Data("null".utf8)),
            HostileBody("JSON array instead of object", Data("[1, 2, 3]".utf8)),
            HostileBody("invalid UTF-8", Data([0x7B, 0x22, 0x69, 0x64, 0x22, 0x3A, 0x22, 0xFF, 0xFE, 0xC3, 0x28, 0x22, 0x7D])),
            HostileBody("10,000-deep nesting", Data((String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)).utf8)),
            HostileBody(
                "10,000-deep object nesting",
                Data((String(repeating: #"{"a":"#, count: 10_000) + "1" + String(repeating: "}", count: 10_000)).utf8)),
            HostileBody("binary garbage", Data((0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 131 &+ 7) })),
        ]
    }
}

/// The shared conformance kit for push adapters: run every check against one harness.
///
/// ```swift
/// @Test(arguments: PushAdapterConformance.checkNames)
/// func conformance(_ check: String) async throws {
///     try await PushAdapterConformance(harness: WebChatHarness()).run(check)
/// }
/// ```
public struct PushAdapterConformance: Sendable {
    public let harness: any PushAdapterHarness
    public let channel = "conformance"

    public init(harness: any PushAdapterHarness) {
        self.harness = harness
    }

    public static var checkNames: [String] { checks.map(\.name) }

    typealias Check = (name: String, body: @Sendable (PushAdapterConformance, TestGateway) async throws -> Void)

    static let checks: [Check] = [
        ("a valid contact is accepted and stored", { kit, gateway in try await kit.accepts(gateway) }),
        ("redelivery creates no duplicate", { kit, gateway in try await kit.redelivery(gateway) }),
        ("concurrent redelivery creates one message", { kit, gateway in try await kit.concurrentRedelivery(gateway) }),
        ("a bad signature is refused and nothing is stored", { kit, gateway in try await kit.badSignature(gateway) }),
        ("a missing signature is refused", { kit, gateway in try await kit.missingSignature(gateway) }),
        ("a stale timestamp is refused", { kit, gateway in try await kit.stale(gateway) }),
        ("hostile bodies get a 4xx and the gateway keeps serving", { kit, gateway in try await kit.hostile(gateway) }),
        ("a 10 MiB body gets 413 and the gateway keeps serving", { kit, gateway in try await kit.oversize(gateway) }),
        ("a 10 MiB chunked body (no Content-Length) gets 413", { kit, gateway in try await kit.oversizeChunked(gateway) }),
        ("SQL- and HTML-looking text is stored verbatim", { kit, gateway in try await kit.verbatim(gateway) }),
        ("an unknown channel id gets 404", { kit, gateway in try await kit.unknownChannel(gateway) }),
    ]

    /// Runs one check against a fresh gateway.
    public func run(_ name: String) async throws {
        guard let check = Self.checks.first(where: { $0.name == name }) else {
            throw ConformanceFailure(check: name, message: "no such check")
        }
        let gateway = try await TestGateway.start(channels: [harness.channelConfig(id: channel)], factories: [harness.factory])
        do {
            try await check.body(self, gateway)
        } catch {
            await gateway.stop()
            throw error
        }
        await gateway.stop()
    }

    // MARK: Helpers

    func send(_ gateway: TestGateway, _ request: HarnessRequest) async throws -> TestHTTPClient.Response {
        try await gateway.client.request(request.method, request.path, headers: request.headers, body: request.body)
    }

    func message(_ gateway: TestGateway, _ externalID: String) async throws -> Message? {
        try await gateway.store.message(
            channelID: ChannelID(rawValue: channel), externalID: harness.storedExternalID(for: externalID))
    }

    func assertServing(_ gateway: TestGateway, _ check: String) async throws {
        let id = "alive-\(UUID().uuidString)"
        let response = try await send(
            gateway, harness.contactRequest(channel: channel, externalID: id, sender: "alive", text: "still serving", now: Date()))
        try expect(harness.acceptedStatuses.contains(response.status), check, "gateway must keep serving; got \(response.status) \(response.text)")
        let stored = try await message(gateway, id)
        try expect(stored != nil, check, "the follow-up contact must be stored")
    }

    // MARK: Checks

    func accepts(_ gateway: TestGateway) async throws {
        let check = "accepts"
        let response = try await send(
            gateway, harness.contactRequest(channel: channel, externalID: "ok-1", sender: "s1", text: "hello there", now: Date()))
        try expect(harness.acceptedStatuses.contains(response.status), check, "expected accepted, got \(response.status) \(response.text)")
        let stored = try await message(gateway, "ok-1")
        try expect(stored?.text == "hello there", check, "stored text must match, got \(String(describing: stored?.text))")
    }

    func redelivery(_ gateway: TestGateway) async throws {
        let check = "redelivery"
        let request = harness.contactRequest(channel: channel, externalID: "re-1", sender: "s2", text: "once", now: Date())
        let first = try await send(gateway, request)
        try expect(harness.acceptedStatuses.contains(first.status), check, "first delivery accepted, got \(first.status)")
        let before = try await gateway.store.statistics()
        for _ in 0..<3 {
            let again = try await send(gateway, request)
            try expect(harness.duplicateStatuses.contains(again.status), check, "redelivery answered \(again.status) \(again.text)")
        }
        let after = try await gateway.store.statistics()
        try expect(before == after, check, "redelivery must write nothing: \(before) → \(after)")
    }

    func concurrentRedelivery(_ gateway: TestGateway) async throws {
        let check = "concurrent redelivery"
        let request = harness.contactRequest(channel: channel, externalID: "cc-1", sender: "s3", text: "racing", now: Date())
        let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<16 { group.addTask { try await self.send(gateway, request).status } }
            return try await group.reduce(into: [Int]()) { $0.append($1) }
        }
        let accepted = statuses.filter { harness.acceptedStatuses.contains($0) && !harness.duplicateStatuses.contains($0) }
        try expect(
            statuses.allSatisfy { harness.acceptedStatuses.contains($0) || harness.duplicateStatuses.contains($0) }, check,
            "all 16 must succeed: \(statuses)")
        if harness.acceptedStatuses.isDisjoint(with: harness.duplicateStatuses) {
            try expect(accepted.count == 1, check, "exactly one is new: \(statuses)")
        }
        let stats = try await gateway.store.statistics()
        try expect(stats.messages == 1, check, "exactly one message stored, got \(stats.messages)")
    }

    func badSignature(_ gateway: TestGateway) async throws {
        try await refusesUnauthenticated(
            gateway, check: "bad signature",
            harness.tampered(harness.contactRequest(channel: channel, externalID: "bad-1", sender: "s4", text: "forged", now: Date())))
    }

    func missingSignature(_ gateway: TestGateway) async throws {
        try await refusesUnauthenticated(
            gateway, check: "missing signature",
            harness.unsigned(harness.contactRequest(channel: channel, externalID: "ms-1", sender: "s5", text: "unsigned", now: Date())))
    }

    /// An unauthenticated request is refused, nothing at all is stored, and the gateway keeps serving.
    func refusesUnauthenticated(_ gateway: TestGateway, check: String, _ request: HarnessRequest) async throws {
        let response = try await send(gateway, request)
        try expect([400, 401, 403].contains(response.status), check, "expected 401, got \(response.status)")
        let stats = try await gateway.store.statistics()
        try expect(stats.messages == 0 && stats.customers == 0, check, "nothing stored for unauthenticated input: \(stats)")
        try await assertServing(gateway, check)
    }

    func stale(_ gateway: TestGateway) async throws {
        let check = "stale timestamp"
        guard let request = harness.staleRequest(channel: channel, externalID: "st-1", sender: "s6", text: "old", now: Date())
        else { return }
        let response = try await send(gateway, request)
        try expect([400, 401, 403].contains(response.status), check, "expected 401, got \(response.status)")
        let stored = try await message(gateway, "st-1")
        try expect(stored == nil, check, "nothing stored for a replayed request")
    }

    func hostile(_ gateway: TestGateway) async throws {
        for hostile in harness.hostileBodies {
            let check = "hostile: \(hostile.name)"
            let before = try await gateway.store.statistics()
            let response = try await send(gateway, harness.signedRequest(channel: channel, body: hostile.body, now: Date()))
            try expect(
                response.status == hostile.expectedStatus, check,
                "expected \(hostile.expectedStatus), got \(response.status) \(response.text.prefix(200))")
            if (400..<500).contains(response.status) {
                try expect(
                    (response.json["error"] as? String)?.isEmpty == false, check, "a 4xx must explain itself: \(response.text.prefix(200))")
            }
            let after = try await gateway.store.statistics()
            try expect(before == after, check, "a refused body stores nothing: \(before) → \(after)")
        }
        try await assertServing(gateway, "hostile bodies")
    }

    /// A JSON-looking body of a little over 10 MiB.
    static func oversizeBody(id: String) -> Data {
        var body = Data(#"{"id":"\#(id)","text":""#.utf8)
        body.append(Data(repeating: 0x61, count: 10 << 20))
        body.append(Data(#""}"#.utf8))
        return body
    }

    func oversize(_ gateway: TestGateway) async throws {
        let check = "oversize"
        let body = Self.oversizeBody(id: "big")
        let response = try await send(gateway, harness.signedRequest(channel: channel, body: body, now: Date()))
        try expect(response.status == 413, check, "expected 413, got \(response.status)")
        try await assertServing(gateway, check)
    }

    func oversizeChunked(_ gateway: TestGateway) async throws {
        let check = "oversize chunked"
        let body = Self.oversizeBody(id: "big-chunked")
        let request = harness.signedRequest(channel: channel, body: body, now: Date())
        let response = try await gateway.client.postChunked(request.path, headers: request.headers, body: body)
        try expect(response.status == 413, check, "expected 413, got \(response.status)")
        try await assertServing(gateway, check)
    }

    func verbatim(_ gateway: TestGateway) async throws {
        let check = "verbatim"
        let response = try await send(
            gateway, harness.contactRequest(channel: channel, externalID: "vb-1", sender: "s7", text: Fixtures.hostileText, now: Date()))
        try expect(harness.acceptedStatuses.contains(response.status), check, "accepted, got \(response.status) \(response.text)")
        let stored = try await message(gateway, "vb-1")
        try expect(stored?.text == Fixtures.hostileText, check, "text must be stored byte for byte, got \(String(describing: stored?.text))")
    }

    func unknownChannel(_ gateway: TestGateway) async throws {
        let check = "unknown channel"
        var request = harness.contactRequest(channel: "no-such-channel", externalID: "u-1", sender: "s8", text: "x", now: Date())
        request.path = request.path.replacingOccurrences(of: "/\(channel)/", with: "/no-such-channel/")
        let response = try await send(gateway, request)
        try expect(response.status == 404, check, "expected 404, got \(response.status)")
    }
}
