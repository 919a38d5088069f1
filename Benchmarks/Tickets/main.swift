// Ticket benchmark: the SLA timer service over 1,000,000 open tickets and ticket creation
// through the generator, on a real SQLite store (synchronous=FULL) in a temporary directory.
//
//   swift run -c release switchboard-tickets-bench            # 1,000,000 open tickets
//   swift run -c release switchboard-tickets-bench 100000     # a smaller backlog
//
// Prints, for the backlog: how fast it was written, the process's memory (RSS) before and after,
// the time to find the due timers per tick through the due-time index (p50/p99) against the
// baseline a scanning implementation pays in the same process (reading every open ticket's SLA),
// and how many warnings/breaches per second the timer service fires. For the generator: email
// contacts ingested per second (the baseline) and tickets opened per second from them.
import Foundation
import Logging
import SwitchboardCore
import SwitchboardRouting
import SwitchboardServer
import SwitchboardStore
import SwitchboardStoreSQLite
import SwitchboardTickets
import Metrics

func rssMegabytes() -> Double {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
        let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") })
    else { return 0 }
    let kilobytes = Double(line.split(separator: " ").dropFirst().first ?? "0") ?? 0
    return kilobytes / 1024
}

func percentile(_ values: [Double], _ p: Double) -> Double {
    let sorted = values.sorted()
    return sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))]
}

let count = CommandLine.arguments.dropFirst().first.flatMap(Int.init) ?? 1_000_000
let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sb-tickets-bench-\(UUID().uuidString)")
defer { try? FileManager.default.removeItem(at: directory) }
let store = try SQLiteStore(configuration: .init(path: directory.appendingPathComponent("switchboard.sqlite").path))
try await store.migrate()
var logger = Logger(label: "tickets-bench")
logger.logLevel = .error
let routing = RoutingEngine(store: store, rules: nil, logger: logger, metricsFactory: NOOPMetricsHandler.instance)
try await routing.start()
let settings = TicketSettings(
    policies: [SLAPolicy(name: "standard", targets: [.init(firstResponseMinutes: 60, resolutionMinutes: 24 * 60)])],
    defaultPolicy: "standard", webhook: true)
let service = TicketService(store: store, routing: routing, settings: settings, logger: logger)
let desk = service.currentDesk
let clock = ContinuousClock()
let rssStart = rssMegabytes()

// 1. The backlog: `count` open tickets opened over the last 50 minutes, so their first-response
// warnings (at 48 minutes) fall due gradually and almost all timers lie in the future.
print("writing \(count) open tickets (4 SLA timers each)…")
let now = Date()
let batch = 5_000
let writeStart = clock.now
for start in stride(from: 0, to: count, by: batch) {
    var writes: [TicketWrite] = []
    for index in start..<min(start + batch, count) {
        let opened = now.addingTimeInterval(-3000 + 3000 * Double(index) / Double(count))
        let change = try desk.open(TicketDraft(type: "general", subject: "ticket \(index)", createdBy: "bench"), actor: "bench", at: opened)
        writes.append(
            TicketWrite(
                change: change, timers: desk.timers(for: change.ticket), firstResponseDueAt: desk.deadline(.firstResponse, of: change.ticket),
                resolutionDueAt: desk.deadline(.resolution, of: change.ticket)))
    }
    try await store.saveTickets(writes, consumer: nil)
}
let writeSeconds = Double((clock.now - writeStart).components.attoseconds) / 1e18 + Double((clock.now - writeStart).components.seconds)
print(String(format: "  written in %.1f s: %.0f tickets/s (store only, batches of %d)", writeSeconds, Double(count) / writeSeconds, batch))

// 2. Finding due timers per tick: through the index vs scanning every open ticket.
func seconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
}
var indexed: [Double] = []
for tick in 0..<200 {
    // A moment 40-50 minutes after the oldest ticket: between 0 and ~20 % of tickets have a due warning.
    let moment = now.addingTimeInterval(-3000 + 2880 + Double(tick) * 0.5)
    let started = clock.now
    _ = try await store.dueSLATimers(now: moment, limit: 500)
    indexed.append(seconds(clock.now - started) * 1e6)
}
var scanned: [Double] = []
for _ in 0..<3 {
    let started = clock.now
    var due = 0
    var cursor: Int64?
    repeat {
        let page = try await store.tickets(TicketQuery(states: [.new, .open, .pending], limit: 500, before: cursor))
        for ticket in page.items where desk.timers(for: ticket).contains(where: { $0.dueAt <= now }) { due += 1 }
        cursor = page.nextCursor
    } while cursor != nil
    scanned.append(seconds(clock.now - started) * 1e6)
}
let rssLoaded = rssMegabytes()
print(
    String(
        format: "  due timers per tick (500 max) via the index: p50 %.0f µs, p99 %.0f µs; scanning all open tickets: %.0f ms per tick → %.0f× faster",
        percentile(indexed, 0.5), percentile(indexed, 0.99), percentile(scanned, 0.5) / 1000, percentile(scanned, 0.5) / percentile(indexed, 0.5)))

// 3. Firing: the timer service fires the first-response warnings of the oldest tickets.
let timers = SLATimerService(service: service, logger: logger)
let fireUntil = now.addingTimeInterval(-3000 + 2880 + 60)  // a minute of due warnings
let fireStart = clock.now
var fired = 0
while true {
    let due = try await timers.tick(now: fireUntil)
    fired += due
    if due == 0 { break }
}
let fireSeconds = seconds(clock.now - fireStart)
print(String(format: "  fired %d SLA warnings (history + webhook each) in %.2f s: %.0f marks/s", fired, fireSeconds, Double(fired) / fireSeconds))
let rssAfter = rssMegabytes()
print(
    String(
        format: "  memory (RSS): %.0f MB at start, %.0f MB after writing and scanning %d tickets, %.0f MB after firing (the timer service holds no per-ticket state)",
        rssStart, rssLoaded, count, rssAfter))

// 4. Ticket creation through the generator: email contacts, each a new thread → one ticket.
let contacts = min(count, 20_000)
print("ingesting \(contacts) email contacts, then opening their tickets through the generator…")
let ingestStart = clock.now
for start in stride(from: 0, to: contacts, by: 500) {
    var items: [IngestItem] = []
    for index in start..<min(start + 500, contacts) {
        let contact = InboundContact(
            channelID: ChannelID(rawValue: "mail"), channelKind: .email, externalID: "<bench-\(index)@example.com>", occurredAt: Date(),
            sender: Handle(kind: "email", value: "customer\(index)@example.com"), senderName: "Customer \(index)", text: "Order \(index) is late",
            routing: RoutingAttributes(extra: ["subject": "Where is order \(index)?"]),
            raw: RawPayload(contentType: "message/rfc822", bytes: Data("Subject: order \(index)\r\n\r\nlate\r\n".utf8)))
        items.append(.contact(PreparedContact(contact: contact, attachments: [], messageID: .generate())))
    }
    _ = try await store.commit(items, policy: ThreadingPolicy(inactivityWindow: 1800), now: Date())
}
let ingestSeconds = seconds(clock.now - ingestStart)
var generator = TicketGenerator(service: service, logger: logger)
generator.batchSize = 500
let generateStart = clock.now
var events = 0
while true {
    let step = try await generator.step()
    events += step
    if step == 0 { break }
}
let generateSeconds = seconds(clock.now - generateStart)
let created = try await store.tickets(TicketQuery(limit: 1)).items.first?.number ?? 0
print(
    String(
        format: "  ingest (baseline): %.0f contacts/s; generator: %d events → %d tickets in %.2f s: %.0f tickets/s (%.2f× ingest)",
        Double(contacts) / ingestSeconds, events, Int(created) - count, generateSeconds, Double(Int(created) - count) / generateSeconds,
        (Double(Int(created) - count) / generateSeconds) / (Double(contacts) / ingestSeconds)))
try await store.close()
