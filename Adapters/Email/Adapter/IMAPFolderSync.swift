import Foundation
import Logging
import ServiceLifecycle
import SwitchboardCore

/// Keeps one IMAP folder ingested: connect, catch up from the checkpoint, then wait for new mail
/// with IDLE (or poll), forever; on any failure, reconnect with exponential backoff and jitter.
///
/// Durability comes from the checkpoint chain (see ``ChannelCheckpoint``): each message carries
/// "UIDVALIDITY:UID" into the store with its own transaction, so after a crash the sync resumes
/// right after the last message that is committed *and* has everything before it committed;
/// anything fetched again is a duplicate (Message-ID, else a content hash) and costs nothing.
/// The post-ingest action (\Seen or move) runs only after its messages are committed, and
/// once more at every session start for committed messages still waiting for it.
struct IMAPFolderSync: Service {
    let channelID: ChannelID
    let folder: String
    let configuration: IMAPSettings
    let maxMessageBytes: Int
    let intake: MailIntake
    let sink: any ContactSink
    let logger: Logger
    let metrics: EmailMetrics

    func run() async throws {
        await cancelWhenGracefulShutdown { await keepSynced() }
    }

    private func keepSynced() async {
        var failures = 0
        while !Task.isCancelled {
            do throws(IMAPSyncError) {
                try await session { failures = 0 }
            } catch {
                if error.isCancellation || Task.isCancelled { return }
                failures += 1
                let delay = configuration.reconnect.delay(afterAttempts: failures)
                metrics.sessions.increment(channelID.rawValue, error.metricReason)
                logger.log(
                    level: error.needsAdmin ? .error : .warning,
                    "IMAP session ended; reconnecting",
                    metadata: [
                        "sb.folder": "\(folder)", "sb.error": "\(error)", "sb.retry_in_s": "\(String(format: "%.1f", delay))",
                        "sb.failures": "\(failures)",
                    ])
                try? await Task.sleep(for: .milliseconds(Int(delay * 1000)))
            }
        }
    }

    /// One connection: log in, select, catch up, then wait and catch up again until it fails.
    private func session(onReady: () -> Void) async throws(IMAPSyncError) {
        let authentication = try await authenticationForThisConnection()
        let session = try await IMAPSyncError.wrap {
            try await IMAPSession.open(
                configuration.endpoint, authentication: authentication, maxLiteralBytes: maxMessageBytes + (1 << 20))
        }
        do throws(IMAPSyncError) {
            let status = try await IMAPSyncError.wrap { try await session.select(folder) }
            var cursor = try await FolderCursor.load(from: sink, channel: channelID, folder: folder, uidValidity: status.uidValidity)
            if cursor.rescan { logRescan(status.uidValidity) }
            logger.info(
                "IMAP folder selected",
                metadata: [
                    "sb.folder": "\(folder)", "sb.exists": "\(status.exists)", "sb.resume_uid": "\(cursor.nextUID)",
                    "sb.idle": "\(configuration.useIdle && session.capabilities.contains("IDLE"))",
                ])
            onReady()
            if case .move(let target) = configuration.action {
                // Make sure the target exists; "already exists" is the usual answer and is fine.
                _ = try? await session.run("CREATE", [.mailbox(target)])
            }
            try await finishPendingActions(session, below: cursor.nextUID)
            while true {
                try await catchUp(session, cursor: &cursor)
                if configuration.useIdle && session.capabilities.contains("IDLE") {
                    _ = try await IMAPSyncError.wrap { try await session.idle(for: configuration.idleRefresh) }
                } else {
                    do {
                        try await Task.sleep(for: configuration.pollInterval)
                    } catch {
                        throw IMAPSyncError.imap(IMAPError(.cancelled, "stopped"))
                    }
                }
                // SELECT again: cheap, and the only reliable way to notice that the folder was
                // deleted and recreated (a new UIDVALIDITY) while we held it open.
                let current = try await IMAPSyncError.wrap { try await session.select(folder) }
                if current.uidValidity != cursor.uidValidity {
                    logRescan(current.uidValidity)
                    cursor = FolderCursor(stored: cursor.chainHead, uidValidity: current.uidValidity)
                }
            }
        } catch {
            if error.isCancellation { await session.logout() } else { await session.close() }
            throw error
        }
    }

    private func logRescan(_ uidValidity: UInt32) {
        logger.warning(
            "UIDVALIDITY changed; re-scanning the folder (messages already stored are recognised, not duplicated)",
            metadata: ["sb.folder": "\(folder)", "sb.uidvalidity": "\(uidValidity)"])
    }

    /// Ingests every message above the cursor, in batches, in UID order.
    ///
    /// Pipelined: while one batch commits, the next is fetched and parsed. Batches are still
    /// *submitted* strictly one after the other (the next only once the previous is committed and
    /// its action done), so the checkpoint chain and the order of commits are unchanged.
    private func catchUp(_ session: IMAPSession, cursor: inout FolderCursor) async throws(IMAPSyncError) {
        session.newMailAnnounced = false
        let from = cursor.nextUID
        let uids = try await IMAPSyncError.wrap { try await session.uidSearch(from: from) }
        guard !uids.isEmpty else { return }
        var inFlight: BatchInFlight?
        var head = cursor.chainHead
        var start = 0
        while start < uids.count {
            let chunk = Array(uids[start..<min(start + configuration.fetchBatchSize, uids.count)])
            start += chunk.count
            let batch = try await prepare(chunk, session: session, cursor: cursor, head: &head)
            if let previous = inFlight {
                inFlight = nil
                try await finish(previous, session: session, cursor: &cursor)
            }
            let sink = self.sink
            let submissions = batch.submissions
            inFlight = BatchInFlight(
                batch: batch, commit: Task { await sink.submitInOrder(submissions) }, submittedAt: ContinuousClock.now)
        }
        if let last = inFlight { try await finish(last, session: session, cursor: &cursor) }
    }

    /// One fetched and parsed batch, ready to submit.
    struct PreparedBatch: Sendable {
        var uids: [UInt32]
        var submissions: [ContactSubmission]
        var head: String?
        var lastUID: UInt32?
        var oversize: Int
        var fetchTime: Duration
        var parseTime: Duration
    }

    struct BatchInFlight {
        var batch: PreparedBatch
        var commit: Task<[Result<ContactOutcome, IngestError>], Never>
        var submittedAt: ContinuousClock.Instant
    }

    /// Fetches a chunk (sizes, then bodies or, over the limit, headers) and parses it on all cores.
    private func prepare(_ chunk: [UInt32], session: IMAPSession, cursor: FolderCursor, head: inout String?)
        async throws(IMAPSyncError) -> PreparedBatch
    {
        let started = ContinuousClock.now
        let sizes = try await IMAPSyncError.wrap { try await session.uidFetch(chunk, items: "UID RFC822.SIZE INTERNALDATE") }
        let limit = maxMessageBytes
        let present = chunk.filter { sizes[$0] != nil }
        let small = present.filter { (sizes[$0]?.size ?? 0) <= limit }
        let large = present.filter { (sizes[$0]?.size ?? 0) > limit }
        var bodies: [UInt32: IMAPFetch] = [:]
        // Bodies in groups of at most 32 MiB, so one batch never holds more than that in memory.
        var group: [UInt32] = []
        var groupBytes = 0
        for uid in small {
            let size = sizes[uid]?.size ?? 0
            if !group.isEmpty && groupBytes + size > 32 << 20 {
                let fetched = try await IMAPSyncError.wrap { [group] in try await session.uidFetch(group, items: "UID BODY.PEEK[]") }
                bodies.merge(fetched) { $1 }
                group.removeAll()
                groupBytes = 0
            }
            group.append(uid)
            groupBytes += size
        }
        if !group.isEmpty {
            let fetched = try await IMAPSyncError.wrap { [group] in try await session.uidFetch(group, items: "UID BODY.PEEK[]") }
            bodies.merge(fetched) { $1 }
        }
        let headers = try await IMAPSyncError.wrap { try await session.uidFetch(large, items: "UID BODY.PEEK[HEADER]") }
        let fetched = ContinuousClock.now

        // Link the chain in UID order; what a message becomes is decided in parallel below.
        var work: [ParseWork] = []
        var uids: [UInt32] = []
        for uid in present {
            let value = cursor.checkpointValue(uid)
            let checkpoint = ChannelCheckpoint(scope: folder, expected: head, value: value)
            let receivedAt = sizes[uid]?.internalDate.flatMap(IMAPDate.parse) ?? Date()
            if let body = bodies[uid]?.body {
                work.append(ParseWork(raw: body, header: nil, size: 0, receivedAt: receivedAt, checkpoint: checkpoint))
            } else if let header = headers[uid]?.header {
                work.append(
                    ParseWork(raw: nil, header: header, size: sizes[uid]?.size ?? 0, receivedAt: receivedAt, checkpoint: checkpoint))
            } else {
                continue  // expunged by someone else between SEARCH and FETCH: nothing to ingest
            }
            uids.append(uid)
            head = value
        }
        let submissions = await Self.parse(work, intake: intake, limit: limit)
        return PreparedBatch(
            uids: uids, submissions: submissions, head: head, lastUID: present.last, oversize: large.count,
            fetchTime: fetched - started, parseTime: ContinuousClock.now - fetched)
    }

    struct ParseWork: Sendable {
        var raw: [UInt8]?
        var header: [UInt8]?
        var size: Int
        /// The server's INTERNALDATE: the contact's time when the message has no usable Date header.
        var receivedAt: Date
        var checkpoint: ChannelCheckpoint
    }

    /// MIME parsing is the CPU-heavy part: spread it over the cores, keep the order.
    static func parse(_ work: [ParseWork], intake: MailIntake, limit: Int) async -> [ContactSubmission] {
        let slices = max(1, min(ProcessInfo.processInfo.activeProcessorCount, work.count / 8))
        let sliceSize = (work.count + slices - 1) / slices
        return await withTaskGroup(of: (Int, [ContactSubmission]).self) { group in
            for index in 0..<slices {
                let slice = Array(work[min(work.count, index * sliceSize)..<min(work.count, (index + 1) * sliceSize)])
                group.addTask {
                    (index, slice.map { item in
                        if let raw = item.raw {
                            return intake.submission(raw: raw, receivedAt: item.receivedAt, checkpoint: item.checkpoint)
                        }
                        return .recorded(
                            intake.oversize(
                                header: item.header ?? [], size: item.size, limit: limit, receivedAt: item.receivedAt,
                                checkpoint: item.checkpoint))
                    })
                }
            }
            var parts = [[ContactSubmission]](repeating: [], count: slices)
            for await (index, part) in group { parts[index] = part }
            return parts.flatMap { $0 }
        }
    }

    /// Waits for a batch's commit; on success moves the cursor and applies the action.
    private func finish(_ inFlight: BatchInFlight, session: IMAPSession, cursor: inout FolderCursor) async throws(IMAPSyncError) {
        let results = await inFlight.commit.value
        let committedAt = ContinuousClock.now
        var committed: [UInt32] = []
        for (uid, result) in zip(inFlight.batch.uids, results) {
            switch result {
            case .success(let outcome):
                committed.append(uid)
                metrics.messages.increment(channelID.rawValue, Self.outcomeLabel(outcome))
            case .failure(let error):
                metrics.messages.increment(channelID.rawValue, "failed")
                throw .ingest(uid: uid, error)
            }
        }
        cursor.chainHead = inFlight.batch.head
        if let last = inFlight.batch.lastUID { cursor.nextUID = max(cursor.nextUID, last &+ 1) }
        try await applyAction(to: committed, session: session)
        logger.debug(
            "IMAP batch ingested",
            metadata: [
                "sb.folder": "\(folder)", "sb.messages": "\(committed.count)", "sb.oversize": "\(inFlight.batch.oversize)",
                "sb.fetch": "\(inFlight.batch.fetchTime)", "sb.parse": "\(inFlight.batch.parseTime)",
                "sb.commit": "\(committedAt - inFlight.submittedAt)", "sb.action": "\(ContinuousClock.now - committedAt)",
            ])
    }

    private static func outcomeLabel(_ outcome: ContactOutcome) -> String {
        if outcome.duplicate { return "duplicate" }
        if case .contact = outcome { return "contact" }
        return "recorded"
    }

    private func applyAction(to uids: [UInt32], session: IMAPSession) async throws(IMAPSyncError) {
        guard !uids.isEmpty else { return }
        switch configuration.action {
        case .leave: return
        case .markSeen: try await IMAPSyncError.wrap { try await session.uidStore(uids, flags: "\\Seen") }
        case .move(let target): try await IMAPSyncError.wrap { try await session.uidMove(uids, to: target) }
        }
    }

    /// Committed messages (below the cursor) that a crash kept from their action get it now.
    private func finishPendingActions(_ session: IMAPSession, below next: UInt32) async throws(IMAPSyncError) {
        guard next > 1 else { return }
        let query: String
        switch configuration.action {
        case .leave: return
        case .markSeen: query = "UID 1:\(next - 1) UNSEEN"
        case .move: query = "UID 1:\(next - 1)"
        }
        let result = try await IMAPSyncError.wrap { try await session.run("UID SEARCH", [.atom(query)]) }
        var pending: [UInt32] = []
        for case .search(let found) in result.untagged { pending += found.filter { $0 < next } }
        guard !pending.isEmpty else { return }
        logger.info("finishing the post-ingest action for committed messages", metadata: ["sb.folder": "\(folder)", "sb.messages": "\(pending.count)"])
        try await applyAction(to: pending.sorted(), session: session)
    }

    private func authenticationForThisConnection() async throws(IMAPSyncError) -> IMAPAuthentication {
        switch configuration.credentials {
        case .password(let password, let loginOnly):
            return loginOnly
                ? .login(user: configuration.username, password: password)
                : .password(user: configuration.username, password: password)
        case .xoauth2(let source):
            do {
                return .xoauth2(user: configuration.username, token: try await OAuth2Token.read(source))
            } catch {
                throw .token(error.message)
            }
        }
    }
}

/// Where a folder's sync stands within one session.
struct FolderCursor: Sendable, Hashable {
    var uidValidity: UInt32
    /// The first UID not yet known to be committed.
    var nextUID: UInt32
    /// The checkpoint value the next message follows (what the store holds, as far as we know).
    var chainHead: String?
    /// The stored checkpoint was for another UIDVALIDITY: the folder is scanned from the start.
    var rescan: Bool

    func checkpointValue(_ uid: UInt32) -> String { "\(uidValidity):\(uid)" }

    static func load(from sink: any ContactSink, channel: ChannelID, folder: String, uidValidity: UInt32)
        async throws(IMAPSyncError) -> FolderCursor
    {
        let stored: String?
        do {
            stored = try await sink.checkpoint(channel: channel, scope: folder)
        } catch {
            throw .store(error)
        }
        return FolderCursor(stored: stored, uidValidity: uidValidity)
    }

    init(stored: String?, uidValidity: UInt32) {
        self.uidValidity = uidValidity
        chainHead = stored
        let parts = stored?.split(separator: ":").compactMap { UInt32($0) } ?? []
        if parts.count == 2, parts[0] == uidValidity {
            nextUID = parts[1] &+ 1
            rescan = false
        } else {
            nextUID = 1
            rescan = stored != nil
        }
    }
}

/// Why a folder session ended.
enum IMAPSyncError: Error, CustomStringConvertible {
    case imap(IMAPError)
    case ingest(uid: UInt32, IngestError)
    case store(IngestError)
    case token(String)

    /// Runs IMAP work, turning its ``IMAPError`` into a session error.
    static func wrap<T>(_ body: () async throws -> T) async throws(IMAPSyncError) -> T {
        do {
            return try await body()
        } catch let error as IMAPError {
            throw .imap(error)
        } catch {
            throw .imap(IMAPError(.protocolViolation, "\(error)"))
        }
    }

    var isCancellation: Bool {
        if case .imap(let error) = self { return error.kind == .cancelled }
        return false
    }

    /// Failures a person must fix (credentials, TLS trust, a missing folder, a token source).
    var needsAdmin: Bool {
        switch self {
        case .imap(let error): error.isPermanent || error.kind == .tls || error.kind == .commandFailed
        case .token: true
        case .ingest, .store: false
        }
    }

    var metricReason: String {
        switch self {
        case .imap(let error): error.kind.rawValue
        case .ingest, .store: "store"
        case .token: "token"
        }
    }

    var description: String {
        switch self {
        case .imap(let error): "\(error)"
        case .ingest(let uid, let error): "message UID \(uid) was not stored (\(error)); it will be fetched again"
        case .store(let error): "checkpoint could not be read: \(error)"
        case .token(let message): "XOAUTH2 token: \(message)"
        }
    }
}
