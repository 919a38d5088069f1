#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The SMTP/LMTP conversation with one client, as a pure state machine: bytes in, actions out.
///
/// No I/O happens here, so every rule (sequence, limits, dot-unstuffing, pipelining, STARTTLS
/// buffer discard) is unit-testable byte for byte; ``SMTPServerHandler`` drives it on a NIO
/// channel. Commands are processed in order as far as the input goes — pipelined commands simply
/// queue up in the input — and processing stops while a message is being committed
/// (``Action/deliver(_:_:)``) or TLS is being started: nothing after the end of a message is
/// answered before the message itself.
struct SMTPServerSession {
    /// The envelope of one mail transaction.
    struct Envelope: Sendable, Hashable {
        /// The reverse path; "" for the null sender `<>` (bounces, notifications).
        var sender: String
        /// Accepted recipients, in RCPT order (duplicates kept: LMTP answers each).
        var recipients: [String]
        var helo: String
        var tls: Bool
    }

    /// What the driver must do, in order.
    enum Action: Sendable, Hashable {
        case reply(SMTPReply)
        /// Commit the message, then call ``delivered(_:)``; input is held until then.
        case deliver(Envelope, [UInt8])
        /// Send this reply, then start TLS (call ``tlsStarted()`` once the handler is in place).
        case startTLS(SMTPReply)
        /// Flush what was written and close the connection.
        case close
    }

    /// How a message commit ended.
    enum DeliveryOutcome: Sendable, Hashable {
        /// Stored (or already stored): `reference` names it in the 250 reply.
        case stored(reference: String)
        /// Not stored; the reply tells the client whether to retry (4xx) or bounce (5xx).
        case failed(SMTPReply)
    }

    enum Phase: Equatable {
        case command
        case data
        /// Inside a BDAT chunk (RFC 3030): this many bytes still belong to it.
        case chunk(remaining: Int, last: Bool)
        case delivering
        case closed
    }

    let settings: SMTPInboundSettings
    let acceptsRecipient: @Sendable (String) -> Bool
    private(set) var phase = Phase.command
    private(set) var tlsActive = false
    private var helo: String?
    private var sender: String?
    private var recipients: [String] = []
    private var input: [UInt8] = []
    private var discardingLongLine = false
    // DATA state.
    private var message: [UInt8] = []
    private var messageBytes = 0
    private var lastLineEndedWithCRLF = true
    private var atLineStart = true
    /// The transaction's message is coming in BDAT chunks (DATA may not follow).
    private var chunking = false
    /// The current chunk is read and thrown away (its BDAT was refused, or the message is too big).
    private var discardingChunk = false
    private var chunkSize = 0
    // Limits.
    private(set) var errors = 0
    private var junkCommands = 0
    private var tokens: Double
    private var lastRefill: ContinuousClock.Instant?
    /// The gateway is stopping: close after the current message instead of taking more.
    var closeWhenIdle = false

    init(settings: SMTPInboundSettings, acceptsRecipient: @escaping @Sendable (String) -> Bool) {
        self.settings = settings
        self.acceptsRecipient = acceptsRecipient
        self.tokens = Double(settings.maxCommandsPerSecond * 2)
    }

    var isLMTP: Bool { settings.wireProtocol == .lmtp }

    var greeting: SMTPReply {
        SMTPReply(220, nil, "\(settings.hostname) \(isLMTP ? "LMTP" : "ESMTP") Switchboard ready")
    }

    /// Whether a transaction has started (MAIL accepted) — used to decide when an idle close is rude.
    var inTransaction: Bool { sender != nil }

    /// Bytes from the client.
    mutating func receive(_ bytes: some Sequence<UInt8>) {
        guard phase != .closed else { return }
        input.append(contentsOf: bytes)
    }

    /// Consumes as much input as possible.
    mutating func process(now: ContinuousClock.Instant) -> [Action] {
        var actions: [Action] = []
        var consumed = 0
        defer { if consumed > 0 { input.removeFirst(consumed) } }
        while phase == .command || phase == .data || phase.isChunk {
            if phase == .data {
                guard let action = consumeData(&consumed) else { break }
                actions.append(action)
                continue
            }
            if case .chunk(let remaining, let last) = phase {
                if let action = consumeChunk(&consumed, remaining: remaining, last: last) { actions.append(action) }
                if phase.isChunk { break }  // the rest of the chunk has not arrived yet
                continue
            }
            guard let lineEnd = Self.firstLF(in: input, from: consumed) else {
                if input.count - consumed > settings.maxLineLength {
                    // A line that never ends: drop it as it comes, answer once when it does.
                    consumed = input.count
                    discardingLongLine = true
                }
                break
            }
            var end = lineEnd
            if end > consumed && input[end - 1] == UInt8(ascii: "\r") { end -= 1 }
            let tooLong = discardingLongLine || end - consumed > settings.maxLineLength
            let line = tooLong ? "" : String(decoding: input[consumed..<end], as: UTF8.self)
            consumed = lineEnd + 1
            discardingLongLine = false
            if tooLong {
                actions += error(.lineTooLong)
                continue
            }
            let command = Result { () throws(SMTPCommand.ParseError) in try SMTPCommand.parse(line[...]) }
            if !((try? command.get())?.movesMail ?? false), !takeToken(now: now) {
                actions += [.reply(.tooFast), .close]
                phase = .closed
                break
            }
            let commandActions = handle(command, line: line[...])
            actions += commandActions
            if case .startTLS? = commandActions.last {
                // Anything the client sent after STARTTLS in the clear must not be taken as
                // commands of the encrypted session (CVE-2011-0411).
                consumed = input.count
                break
            }
        }
        return actions
    }

    /// The commit of the message handed out with ``Action/deliver(_:_:)`` ended.
    mutating func delivered(_ outcome: DeliveryOutcome, now: ContinuousClock.Instant) -> [Action] {
        guard phase == .delivering else { return [] }
        let accepted = recipients
        resetTransaction()
        phase = .command
        var actions: [Action] = []
        if isLMTP {
            for recipient in accepted {
                switch outcome {
                case .stored(let reference): actions.append(.reply(SMTPReply(250, "2.1.5", "<\(recipient)> OK, stored as \(reference)")))
                case .failed(let reply): actions.append(.reply(SMTPReply(reply.code, reply.enhanced, lines: ["<\(recipient)> " + reply.lines.joined(separator: " ")])))
                }
            }
        } else {
            switch outcome {
            case .stored(let reference): actions.append(.reply(SMTPReply(250, "2.0.0", "OK, stored as \(reference)")))
            case .failed(let reply): actions.append(.reply(reply))
            }
        }
        if closeWhenIdle {
            phase = .closed
            return actions + [.reply(.shuttingDown), .close]
        }
        return actions + process(now: now)
    }

    /// TLS is in place: the session starts over (RFC 3207 §4.2), the client must greet again.
    mutating func tlsStarted() {
        tlsActive = true
        helo = nil
        resetTransaction()
        input.removeAll()
    }

    /// The connection is to end now (idle timeout, shutdown); returns the farewell.
    mutating func terminate(_ reply: SMTPReply) -> [Action] {
        guard phase != .closed else { return [] }
        phase = .closed
        return [.reply(reply), .close]
    }

    // MARK: - Commands

    private mutating func handle(_ parsed: Result<SMTPCommand, SMTPCommand.ParseError>, line: Substring) -> [Action] {
        let command: SMTPCommand
        do throws(SMTPCommand.ParseError) {
            command = try parsed.get()
        } catch {
            guard case .syntax(let reason) = error else { return self.error(.syntax) }
            if line.prefix(5).uppercased() == "BDAT " || line.uppercased() == "BDAT" {
                // Chunk bytes follow that cannot be told from commands any more: end the session.
                phase = .closed
                return [.reply(SMTPReply(501, "5.5.4", reason + "; closing connection")), .close]
            }
            return self.error(SMTPReply(501, "5.5.4", reason))
        }
        switch command {
        case .hello(let extended, let lmtp, let domain):
            if isLMTP != lmtp {
                return error(SMTPReply(500, "5.5.1", isLMTP ? "this is an LMTP server: use LHLO" : "LHLO is for LMTP; use EHLO"))
            }
            if let junk = countJunk() { return junk }
            helo = domain
            resetTransaction()
            guard extended else { return [.reply(SMTPReply(250, nil, "\(settings.hostname) greets \(domain)"))] }
            var lines = ["\(settings.hostname) greets \(domain)", "PIPELINING", "SIZE \(settings.maxMessageSize)", "8BITMIME", "SMTPUTF8",
                "CHUNKING", "ENHANCEDSTATUSCODES"]
            if settings.offersTLS && !tlsActive { lines.append("STARTTLS") }
            return [.reply(SMTPReply(250, nil, lines: lines))]
        case .mail(let from, let size):
            guard helo != nil else { return error(SMTPReply(503, "5.5.1", "send \(isLMTP ? "LHLO" : "EHLO") first")) }
            if settings.requireTLS && !tlsActive { return error(.tlsRequired) }
            guard sender == nil else { return error(SMTPReply(503, "5.5.1", "sender already given; RSET first")) }
            if let size, size > settings.maxMessageSize { return error(.messageTooBig) }
            sender = from
            return [.reply(SMTPReply(250, "2.1.0", "sender <\(from)> OK"))]
        case .recipient(let address):
            guard sender != nil else { return error(.badSequenceMailFirst) }
            guard recipients.count < settings.maxRecipients else { return error(.tooManyRecipients) }
            guard acceptsRecipient(address) else {
                return error(SMTPReply(550, "5.1.1", "<\(address)>: recipient address rejected: no such mailbox here"))
            }
            recipients.append(address)
            return [.reply(SMTPReply(250, "2.1.5", "recipient <\(address)> OK"))]
        case .data:
            guard !chunking else { return error(SMTPReply(503, "5.5.1", "this message is being sent with BDAT; finish it with BDAT LAST")) }
            guard sender != nil else { return error(.badSequenceMailFirst) }
            guard !recipients.isEmpty else { return error(SMTPReply(554, "5.5.1", "no valid recipients")) }
            phase = .data
            message = []
            messageBytes = 0
            atLineStart = true
            lastLineEndedWithCRLF = true
            return [.reply(SMTPReply(354, nil, "end data with <CR><LF>.<CR><LF>"))]
        case .bdat(let size, let last):
            // The chunk follows the command whatever the answer: it is read either way (RFC 3030 §2).
            phase = .chunk(remaining: size, last: last)
            chunkSize = size
            discardingChunk = false
            guard sender != nil else {
                discardingChunk = true
                return error(.badSequenceMailFirst)
            }
            guard !recipients.isEmpty else {
                discardingChunk = true
                return error(SMTPReply(554, "5.5.1", "no valid recipients"))
            }
            if !chunking {
                chunking = true
                message = []
                messageBytes = 0
            }
            return []
        case .reset:
            if let junk = countJunk() { return junk }
            resetTransaction()
            return [.reply(.ok)]
        case .noop:
            if let junk = countJunk() { return junk }
            return [.reply(.ok)]
        case .quit:
            phase = .closed
            return [.reply(SMTPReply(221, "2.0.0", "\(settings.hostname) closing connection")), .close]
        case .startTLS:
            guard settings.offersTLS else { return error(SMTPReply(502, "5.5.1", "STARTTLS is not offered here")) }
            guard !tlsActive else { return error(SMTPReply(503, "5.5.1", "TLS is already active")) }
            guard line.count == "STARTTLS".count else { return error(SMTPReply(501, "5.5.4", "STARTTLS takes no arguments")) }
            return [.startTLS(SMTPReply(220, "2.0.0", "ready to start TLS"))]
        case .verify:
            if let junk = countJunk() { return junk }
            return [.reply(SMTPReply(252, "2.5.2", "cannot verify the user; send the message and delivery will be tried"))]
        case .help:
            if let junk = countJunk() { return junk }
            return [.reply(SMTPReply(214, "2.0.0", "see RFC 5321 (SMTP) and RFC 2033 (LMTP)"))]
        case .auth:
            return error(SMTPReply(502, "5.5.1", "AUTH is not offered: this server only receives mail for its own addresses"))
        case .unknown:
            return error(.unknownCommand)
        }
    }

    /// An error reply, counted; past the limit the session ends.
    private mutating func error(_ reply: SMTPReply) -> [Action] {
        errors += 1
        if errors > settings.maxErrors {
            phase = .closed
            return [.reply(.tooManyErrors), .close]
        }
        return [.reply(reply)]
    }

    /// Commands that move no mail (NOOP, RSET, VRFY, HELP, EHLO) are limited per session.
    private mutating func countJunk() -> [Action]? {
        junkCommands += 1
        guard junkCommands > 100 else { return nil }
        phase = .closed
        return [.reply(SMTPReply(421, "4.7.0", "too many commands that move no mail; closing connection")), .close]
    }

    private mutating func resetTransaction() {
        sender = nil
        recipients = []
        message = []
        messageBytes = 0
        chunking = false
    }

    /// A token bucket: `maxCommandsPerSecond` sustained, twice that in a burst.
    private mutating func takeToken(now: ContinuousClock.Instant) -> Bool {
        let rate = Double(settings.maxCommandsPerSecond)
        if let last = lastRefill {
            let elapsed = now - last
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            tokens = min(rate * 2, tokens + seconds * rate)
        }
        lastRefill = now
        guard tokens >= 1 else { return false }
        tokens -= 1
        return true
    }

    // MARK: - DATA

    /// Consumes message lines; returns an action when the message ended.
    ///
    /// Only `<CRLF>.<CRLF>` ends a message (a bare LF before or after the dot does not: that
    /// difference between servers is what SMTP smuggling exploits). A leading dot is removed from
    /// every line (RFC 5321 §4.5.2). Past the size limit the rest is read and thrown away, then
    /// answered with 552.
    private mutating func consumeData(_ consumed: inout Int) -> Action? {
        while true {
            guard let lineEnd = Self.firstLF(in: input, from: consumed) else {
                // A partial line: keep a short tail (it may be the terminating dot), pass the rest on.
                let pending = input.count - consumed
                if pending > 4096 {
                    let cut = input.count - 2
                    appendMessage(from: consumed, to: cut, lineStart: atLineStart)
                    consumed = cut
                    atLineStart = false
                }
                return nil
            }
            let next = lineEnd + 1
            let endsWithCRLF = lineEnd > consumed && input[lineEnd - 1] == UInt8(ascii: "\r")
            if atLineStart && lastLineEndedWithCRLF && endsWithCRLF && next - consumed == 3 && input[consumed] == UInt8(ascii: ".") {
                consumed = next
                return finishMessage()
            }
            appendMessage(from: consumed, to: next, lineStart: atLineStart)
            consumed = next
            atLineStart = true
            lastLineEndedWithCRLF = endsWithCRLF
        }
    }

    /// Consumes BDAT chunk bytes (taken as they are: no dot-stuffing, no line rules); returns an
    /// action when the chunk is complete — its 250, or for the LAST chunk the message to commit.
    private mutating func consumeChunk(_ consumed: inout Int, remaining: Int, last: Bool) -> Action? {
        let take = min(remaining, input.count - consumed)
        if !discardingChunk {
            messageBytes += take
            if messageBytes <= settings.maxMessageSize { message.append(contentsOf: input[consumed..<(consumed + take)]) }
        }
        consumed += take
        let left = remaining - take
        guard left == 0 else {
            phase = .chunk(remaining: left, last: last)
            return nil
        }
        phase = .command
        if discardingChunk {
            discardingChunk = false
            return nil  // the BDAT was already answered with its refusal
        }
        if last { return finishMessage() }
        return .reply(SMTPReply(250, "2.0.0", "\(chunkSize) octets received"))
    }

    private mutating func appendMessage(from start: Int, to end: Int, lineStart: Bool) {
        var start = start
        if lineStart && start < end && input[start] == UInt8(ascii: ".") { start += 1 }
        messageBytes += end - start
        if messageBytes <= settings.maxMessageSize { message.append(contentsOf: input[start..<end]) }
    }

    private mutating func finishMessage() -> Action {
        if messageBytes > settings.maxMessageSize {
            resetTransaction()
            phase = .command
            errors += 1
            return .reply(.messageTooBig)
        }
        phase = .delivering
        let envelope = Envelope(sender: sender ?? "", recipients: recipients, helo: helo ?? "", tls: tlsActive)
        let body = message
        message = []
        return .deliver(envelope, body)
    }

    static func firstLF(in bytes: [UInt8], from start: Int) -> Int? {
        guard start < bytes.count else { return nil }
        return bytes.withUnsafeBufferPointer { buffer -> Int? in
            guard let base = buffer.baseAddress,
                let found = memchr(base + start, Int32(UInt8(ascii: "\n")), buffer.count - start)
            else { return nil }
            return base.distance(to: found.assumingMemoryBound(to: UInt8.self))
        }
    }
}

extension SMTPServerSession.Phase {
    var isChunk: Bool {
        if case .chunk = self { return true }
        return false
    }
}
