import Foundation

/// How to log in.
public enum IMAPAuthentication: Sendable, Hashable {
    /// `AUTHENTICATE PLAIN` when the server offers it, else `LOGIN`.
    case password(user: String, password: String)
    /// `LOGIN` only (for servers with a broken SASL PLAIN).
    case login(user: String, password: String)
    /// `AUTHENTICATE XOAUTH2` with a bearer token (Gmail, Microsoft 365).
    case xoauth2(user: String, token: String)
}

/// What `SELECT` told us about a mailbox.
public struct IMAPMailboxStatus: Sendable, Hashable {
    public var uidValidity: UInt32
    public var exists: Int
    public var uidNext: UInt32?
}

/// A logged-in IMAP conversation (RFC 9051 / RFC 3501) with the commands the mail channel needs.
///
/// One task drives a session at a time: send a command, read until its tagged answer, keep the
/// untagged data it asked for. Untagged responses that arrive unasked (`EXISTS` from new mail,
/// `EXPUNGE` from another client, `FETCH` flag changes) are accepted at any point and noted.
public final class IMAPSession {
    public private(set) var capabilities: Set<String> = []
    /// The server grew the selected mailbox (`EXISTS` above what we knew) since last cleared.
    public var newMailAnnounced = false
    private let connection: IMAPConnection
    private var tagNumber = 0
    private var knownExists = 0
    private var byeText: String?

    private init(connection: IMAPConnection) {
        self.connection = connection
    }

    /// Connects, upgrades to TLS if configured, and logs in.
    public static func open(
        _ endpoint: IMAPEndpoint, authentication: IMAPAuthentication, maxLiteralBytes: Int
    ) async throws(IMAPError) -> IMAPSession {
        let connection = try await IMAPConnection.connect(to: endpoint, maxLiteralBytes: maxLiteralBytes)
        let session = IMAPSession(connection: connection)
        do throws(IMAPError) {
            try await session.greeting()
            if endpoint.security == .starttls {
                if session.capabilities.isEmpty { try await session.refreshCapabilities() }
                guard session.capabilities.contains("STARTTLS") else {
                    throw IMAPError(.unsupported, "the server does not offer STARTTLS; use tls: implicit (port 993)")
                }
                _ = try await session.run("STARTTLS")
                try await connection.startTLS()
                session.capabilities = []  // must be asked again over TLS (RFC 9051 §6.2.1)
            }
            if session.capabilities.isEmpty { try await session.refreshCapabilities() }
            try await session.login(authentication)
            return session
        } catch {
            await connection.close()
            throw error
        }
    }

    private func greeting() async throws(IMAPError) {
        guard let response = try await connection.next() else {
            throw IMAPError(.timeout, "no greeting from the server within \(connection.endpoint.responseTimeout)")
        }
        switch response {
        case .untagged(.status(.ok, let code, _)), .untagged(.status(.preauth, let code, _)):
            if case .capability(let list) = code { capabilities = Set(list) }
        case .untagged(.status(.bye, _, let text)):
            throw IMAPError(.closed, "the server refused the connection: \(text)")
        default:
            throw IMAPError(.protocolViolation, "unexpected greeting \(response)")
        }
    }

    private func refreshCapabilities() async throws(IMAPError) {
        let result = try await run("CAPABILITY")
        for case .capability(let list) in result.untagged { capabilities = Set(list) }
    }

    private func login(_ authentication: IMAPAuthentication) async throws(IMAPError) {
        let result: CommandResult
        do throws(IMAPError) {
            switch authentication {
            case .password(let user, let password) where capabilities.contains("AUTH=PLAIN"):
                let token = Data(([0] + Array(user.utf8) + [0] + Array(password.utf8))).base64EncodedString()
                result = try await authenticate("PLAIN", initialResponse: token)
            case .password(let user, let password), .login(let user, let password):
                guard !capabilities.contains("LOGINDISABLED") else {
                    throw IMAPError(.unsupported, "the server disables LOGIN here (use TLS, or an AUTH mechanism it offers)")
                }
                result = try await run("LOGIN", [.string(user), .string(password)])
            case .xoauth2(let user, let token):
                guard capabilities.contains("AUTH=XOAUTH2") else {
                    throw IMAPError(.unsupported, "the server does not offer AUTH=XOAUTH2")
                }
                result = try await authenticate("XOAUTH2", initialResponse: Self.xoauth2Response(user: user, token: token))
            }
        } catch {
            guard error.kind == .commandFailed else { throw error }
            throw IMAPError(.authentication, "login refused: \(error.message)")
        }
        if case .capability(let list) = result.code {
            capabilities = Set(list)
        } else {
            try await refreshCapabilities()
        }
    }

    /// The XOAUTH2 initial client response (base64 of `user=…^Aauth=Bearer …^A^A`).
    static func xoauth2Response(user: String, token: String) -> String {
        Data("user=\(user)\u{1}auth=Bearer \(token)\u{1}\u{1}".utf8).base64EncodedString()
    }

    /// SASL exchange with one initial response: sent inline with SASL-IR, else after the first
    /// `+`. A second `+` (an error challenge, as XOAUTH2 sends) is answered empty, as RFC 4954 says.
    private func authenticate(_ mechanism: String, initialResponse: String) async throws(IMAPError) -> CommandResult {
        let tag = nextTag()
        let inline = capabilities.contains("SASL-IR")
        try await connection.send(Array("\(tag) AUTHENTICATE \(mechanism)\(inline ? " " + initialResponse : "")\r\n".utf8))
        var sentInitial = inline
        var untagged: [IMAPUntagged] = []
        while true {
            switch try await nextResponse() {
            case .continuation:
                try await connection.send(Array(((sentInitial ? "" : initialResponse) + "\r\n").utf8))
                sentInitial = true
            case .untagged(let data): untagged.append(data)
            case .tagged(let answered, let status, let code, let text):
                return try finish(tag: tag, answered: answered, status: status, code: code, text: text, untagged: untagged,
                    command: "AUTHENTICATE \(mechanism)")
            }
        }
    }

    // MARK: Mailbox commands

    public func select(_ mailbox: String) async throws(IMAPError) -> IMAPMailboxStatus {
        let result = try await run("SELECT", [.mailbox(mailbox)])
        var validity: UInt32?
        var uidNext: UInt32?
        var exists = 0
        for data in result.untagged {
            switch data {
            case .status(_, .uidValidity(let value)?, _): validity = value
            case .status(_, .uidNext(let value)?, _): uidNext = value
            case .exists(let count): exists = count
            default: break
            }
        }
        guard let validity else {
            throw IMAPError(.protocolViolation, "SELECT \(mailbox) answered without UIDVALIDITY")
        }
        knownExists = exists
        newMailAnnounced = false
        return IMAPMailboxStatus(uidValidity: validity, exists: exists, uidNext: uidNext)
    }

    /// UIDs of messages with a UID of at least `from`, ascending (the `n:*` quirk filtered out).
    public func uidSearch(from: UInt32) async throws(IMAPError) -> [UInt32] {
        let result = try await run("UID SEARCH", [.atom("UID \(from):*")])
        var uids: [UInt32] = []
        for case .search(let found) in result.untagged { uids += found }
        return uids.filter { $0 >= from }.sorted()
    }

    /// `UID FETCH` of `items` for `uids`; answers keyed by UID (unsolicited FETCHes are ignored).
    public func uidFetch(_ uids: [UInt32], items: String) async throws(IMAPError) -> [UInt32: IMAPFetch] {
        guard !uids.isEmpty else { return [:] }
        let wanted = Set(uids)
        let result = try await run("UID FETCH", [.atom(Self.sequenceSet(uids)), .atom("(\(items))")])
        var fetched: [UInt32: IMAPFetch] = [:]
        for case .fetch(_, let data) in result.untagged {
            guard let uid = data.uid, wanted.contains(uid) else { continue }
            if var existing = fetched[uid] {
                existing.merge(data)
                fetched[uid] = existing
            } else {
                fetched[uid] = data
            }
        }
        return fetched
    }

    public func uidStore(_ uids: [UInt32], flags: String) async throws(IMAPError) {
        guard !uids.isEmpty else { return }
        _ = try await run("UID STORE", [.atom(Self.sequenceSet(uids)), .atom("+FLAGS.SILENT (\(flags))")])
    }

    /// Moves messages: `UID MOVE` (RFC 6851) when offered, else COPY + `\Deleted` + (UID) EXPUNGE.
    public func uidMove(_ uids: [UInt32], to mailbox: String) async throws(IMAPError) {
        guard !uids.isEmpty else { return }
        let set = Self.sequenceSet(uids)
        if capabilities.contains("MOVE") {
            _ = try await run("UID MOVE", [.atom(set), .mailbox(mailbox)])
            return
        }
        _ = try await run("UID COPY", [.atom(set), .mailbox(mailbox)])
        _ = try await run("UID STORE", [.atom(set), .atom("+FLAGS.SILENT (\\Deleted)")])
        if capabilities.contains("UIDPLUS") {
            _ = try await run("UID EXPUNGE", [.atom(set)])
        } else {
            _ = try await run("EXPUNGE")
        }
    }

    /// Waits in `IDLE` (RFC 2177) until the server announces new mail or `duration` passes.
    /// Returns whether new mail was announced. Ends IDLE cleanly either way.
    public func idle(for duration: Duration) async throws(IMAPError) -> Bool {
        guard !newMailAnnounced else { return true }
        let tag = nextTag()
        try await connection.send(Array("\(tag) IDLE\r\n".utf8))
        var idling = false
        let deadline = ContinuousClock.now + duration
        while !newMailAnnounced {
            let remaining = deadline - ContinuousClock.now
            if idling && remaining <= .zero { break }
            let response = try await connection.next(timeout: idling ? remaining : nil)
            guard let response else {
                if idling { break }
                throw IMAPError(.timeout, "no answer to IDLE")
            }
            switch response {
            case .continuation: idling = true
            case .untagged(let data): note(data)
            case .tagged(let answered, let status, let code, let text):
                _ = try finish(tag: tag, answered: answered, status: status, code: code, text: text, untagged: [], command: "IDLE")
                return newMailAnnounced  // the server ended IDLE by itself
            }
        }
        try await connection.send(Array("DONE\r\n".utf8))
        while true {
            switch try await nextResponse() {
            case .continuation: continue
            case .untagged: continue  // noted by nextResponse
            case .tagged(let answered, let status, let code, let text):
                _ = try finish(tag: tag, answered: answered, status: status, code: code, text: text, untagged: [], command: "IDLE")
                return newMailAnnounced
            }
        }
    }

    /// Says goodbye; errors are irrelevant at this point.
    public func logout() async {
        _ = try? await run("LOGOUT")
        await connection.close()
    }

    public func close() async {
        await connection.close()
    }

    // MARK: Command plumbing

    struct CommandResult {
        var untagged: [IMAPUntagged]
        var code: IMAPResponseCode?
        var text: String
    }

    /// Sends one command and reads up to its tagged answer; NO and BAD throw ``IMAPError/Kind/commandFailed``.
    @discardableResult
    func run(_ name: String, _ arguments: [IMAPArgument] = []) async throws(IMAPError) -> CommandResult {
        let tag = nextTag()
        var line = Array("\(tag) \(name)".utf8)
        var untagged: [IMAPUntagged] = []
        let nonSynchronizing = capabilities.contains("LITERAL+") || capabilities.contains("LITERAL-")
        for argument in arguments {
            line.append(0x20)
            switch argument.encoded {
            case .text(let bytes): line += bytes
            case .literal(let bytes):
                line += Array("{\(bytes.count)\(nonSynchronizing ? "+" : "")}\r\n".utf8)
                if nonSynchronizing {
                    line += bytes
                    continue
                }
                try await connection.send(line)
                line = bytes
                // Wait for the go-ahead; a tagged answer here means the server refused.
                waiting: while true {
                    switch try await nextResponse() {
                    case .continuation: break waiting
                    case .untagged(let data): untagged.append(data)
                    case .tagged(let answered, let status, let code, let text):
                        return try finish(tag: tag, answered: answered, status: status, code: code, text: text,
                            untagged: untagged, command: name)
                    }
                }
            }
        }
        line += [0x0D, 0x0A]
        try await connection.send(line)
        while true {
            switch try await nextResponse() {
            case .continuation: throw IMAPError(.protocolViolation, "unexpected continuation during \(name)")
            case .untagged(let data): untagged.append(data)
            case .tagged(let answered, let status, let code, let text):
                return try finish(tag: tag, answered: answered, status: status, code: code, text: text, untagged: untagged,
                    command: name)
            }
        }
    }

    private func finish(
        tag: String, answered: String, status: IMAPStatus, code: IMAPResponseCode?, text: String,
        untagged: [IMAPUntagged], command: String
    ) throws(IMAPError) -> CommandResult {
        guard answered == tag else {
            throw IMAPError(.protocolViolation, "answer for tag \(answered) while waiting for \(tag) (\(command))")
        }
        guard status == .ok else {
            throw IMAPError(.commandFailed, "\(command) answered \(status.rawValue): \(text)")
        }
        return CommandResult(untagged: untagged, code: code, text: text)
    }

    private func nextResponse() async throws(IMAPError) -> IMAPResponse {
        let response: IMAPResponse?
        do throws(IMAPError) {
            response = try await connection.next()
        } catch {
            guard error.kind == .closed, let byeText else { throw error }
            throw IMAPError(.closed, "the server ended the session: \(byeText)")
        }
        guard let response else {
            throw IMAPError(.timeout, "no answer from the server within \(connection.endpoint.responseTimeout)")
        }
        if case .untagged(let data) = response { note(data) }
        return response
    }

    private func note(_ data: IMAPUntagged) {
        switch data {
        case .exists(let count):
            if count > knownExists { newMailAnnounced = true }
            knownExists = count
        case .expunge: knownExists = max(0, knownExists - 1)
        case .status(.bye, _, let text): byeText = text
        default: break
        }
    }

    private func nextTag() -> String {
        tagNumber += 1
        return "S\(tagNumber)"
    }

    /// `1:3,7,9:10` for [1, 2, 3, 7, 9, 10].
    static func sequenceSet(_ uids: [UInt32]) -> String {
        let sorted = Array(Set(uids)).sorted()
        var ranges: [String] = []
        var index = 0
        while index < sorted.count {
            var end = index
            while end + 1 < sorted.count, sorted[end + 1] == sorted[end] + 1 { end += 1 }
            ranges.append(end == index ? "\(sorted[index])" : "\(sorted[index]):\(sorted[end])")
            index = end + 1
        }
        return ranges.joined(separator: ",")
    }
}
