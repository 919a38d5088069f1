import Foundation
import SwitchboardCore
import SwitchboardRouting
import SwitchboardServer
import SwitchboardTesting
import SwitchboardTickets
import SwitchboardWebChat
import Testing

/// Tickets end to end over HTTP: templates and required fields, lifecycle, comments through the
/// conversation's channel, history, escalation, group-first assignment, API-managed rules, and
/// the signed SLA webhook retried until the receiver accepts it.
@Suite("Ticket API")
struct TicketAPITests {
    static func send(_ gateway: TestGateway, _ method: String, _ path: String, _ json: Any? = nil, bearer: String = TestGateway.adminToken)
        async throws -> TestHTTPClient.Response
    {
        try await RoutingAPITests.send(gateway, method, path, json, bearer: bearer)
    }

    static func start(callback: String? = nil, configure: (inout GatewayConfiguration) -> Void = { _ in }) async throws -> TestGateway {
        try await RoutingAPITests.start(callback: callback) { configuration in
            configuration.tickets.slaPolicies = [SLAPolicy(name: "standard", targets: [.init(firstResponseMinutes: 60, resolutionMinutes: 480)])]
            configuration.tickets.defaultSLAPolicy = "standard"
            configure(&configuration)
        }
    }

    @Test("ticket types through the API; a missing or wrongly typed required field is a 400 naming it")
    func templates() async throws {
        try await Self.start().use { gateway in
            let types: [[String: Any]] = [
                [
                    "name": "order", "defaultPriority": "P2",
                    "fields": [
                        ["name": "orderNumber", "kind": "text", "required": true],
                        ["name": "amount", "kind": "number"],
                        ["name": "reason", "kind": "choice", "choices": ["damaged", "late"]],
                    ],
                ]
            ]
            let put = try await Self.send(gateway, "PUT", "/api/v1/ticket-types", types)
            #expect(put.status == 200, "\(put.text)")
            let listed = try await Self.send(gateway, "GET", "/api/v1/ticket-types")
            #expect((listed.json["items"] as? [[String: Any]])?.compactMap { $0["name"] as? String }.contains("order") == true)
            let missing = try await Self.send(gateway, "POST", "/api/v1/tickets", ["type": "order", "subject": "Broken"])
            #expect(missing.status == 400 && missing.json["field"] as? String == "fields.orderNumber", "\(missing.text)")
            let wrong = try await Self.send(
                gateway, "POST", "/api/v1/tickets", ["type": "order", "fields": ["orderNumber": "SO-1", "amount": "ten"]])
            #expect(wrong.status == 400 && wrong.json["field"] as? String == "fields.amount", "\(wrong.text)")
            let choice = try await Self.send(
                gateway, "POST", "/api/v1/tickets", ["type": "order", "fields": ["orderNumber": "SO-1", "reason": "bored"]])
            #expect(choice.status == 400 && choice.json["field"] as? String == "fields.reason")
            let unknown = try await Self.send(gateway, "POST", "/api/v1/tickets", ["type": "nope"])
            #expect(unknown.status == 400 && unknown.json["field"] as? String == "type")

            let created = try await Self.send(
                gateway, "POST", "/api/v1/tickets", ["type": "order", "subject": "Broken", "fields": ["orderNumber": "SO-1", "amount": 12.5]])
            #expect(created.status == 201, "\(created.text)")
            let ticket = created.json
            #expect(ticket["type"] as? String == "order" && ticket["state"] as? String == "new" && ticket["priority"] as? String == "P2")
            #expect(ticket["fields"] as? [String: String] == ["orderNumber": "SO-1", "amount": "12.5"])
            #expect(ticket["createdBy"] as? String == "api" && ticket["assignee"] is NSNull && ticket["group"] is NSNull)
            #expect((ticket["number"] as? Int ?? 0) > 0 && ticket["conversationIds"] as? [String] == [])
            let sla = ticket["sla"] as? [String: Any] ?? [:]
            #expect(sla["firstResponseDueAt"] is String && sla["resolutionDueAt"] is String)
            #expect(sla["warned"] as? Bool == false && sla["breached"] as? Bool == false)
            // By number or id.
            let number = ticket["number"] as? Int ?? 0
            #expect(try await Self.send(gateway, "GET", "/api/v1/tickets/\(number)").json["id"] as? String == ticket["id"] as? String)
            #expect(try await Self.send(gateway, "GET", "/api/v1/tickets/nope").status == 404)
            // A type a rule still uses cannot be dropped silently: the built-ins stay.
            #expect(try await Self.send(gateway, "PUT", "/api/v1/ticket-types", [[String: Any]]()).status == 200)
        }
    }

    @Test("escalation, public and internal comments, transitions with refusals, edits, history, listing")
    func lifecycle() async throws {
        let callback = try await CallbackRecorder.start()
        try await Self.start(callback: "http://127.0.0.1:\(callback.port)/cb").use { gateway in
            let conversation = try await RoutingAPITests.contact(gateway, visitor: "v-1", text: "My parcel is lost")
            let escalated = try await Self.send(
                gateway, "POST", "/api/v1/conversations/\(conversation)/escalate", ["note": "customer is upset"])
            #expect(escalated.status == 201, "\(escalated.text)")
            let id = escalated.json["id"] as? String ?? ""
            #expect(escalated.json["createdBy"] as? String == "agent-escalation" && escalated.json["priority"] as? String == "P2")
            #expect(escalated.json["subject"] as? String == "My parcel is lost")
            #expect(escalated.json["conversationIds"] as? [String] == [conversation])
            let again = try await Self.send(gateway, "POST", "/api/v1/conversations/\(conversation)/escalate", [String: Any]())
            #expect(again.status == 200 && again.json["id"] as? String == id)

            let note = try await Self.send(gateway, "POST", "/api/v1/tickets/\(id)/comments", ["text": "checking with the courier"])
            #expect(note.status == 201 && note.json["visibility"] as? String == "internal" && note.json["messageId"] as? String == nil)
            let reply = try await Self.send(
                gateway, "POST", "/api/v1/tickets/\(id)/comments", ["text": "We are on it", "visibility": "public", "author": "alice"])
            #expect(reply.status == 201 && reply.json["messageId"] is String, "\(reply.text)")
            // The public comment goes to the customer through the conversation's channel.
            let delivered = await callback.waitFor(count: 1)
            #expect(delivered.contains { String(decoding: $0.body, as: UTF8.self).contains("We are on it") })
            var ticket = try await Self.send(gateway, "GET", "/api/v1/tickets/\(id)").json
            #expect(ticket["state"] as? String == "open" && ticket["firstRespondedAt"] is String)

            #expect(try await Self.send(gateway, "POST", "/api/v1/tickets/\(id)/transition", ["transition": "wait"]).json["state"] as? String == "pending")
            let refused = try await Self.send(gateway, "POST", "/api/v1/tickets/\(id)/transition", ["transition": "reopen"])
            #expect(refused.status == 409 && (refused.json["error"] as? String ?? "").contains("pending"))
            let bad = try await Self.send(gateway, "POST", "/api/v1/tickets/\(id)/transition", ["transition": "explode"])
            #expect(bad.status == 400 && bad.json["field"] as? String == "transition")
            ticket = try await Self.send(gateway, "GET", "/api/v1/tickets/\(id)").json
            #expect((ticket["sla"] as? [String: Any])?["paused"] as? Bool == true)
            #expect((ticket["sla"] as? [String: Any])?["resolutionDueAt"] is NSNull)

            let patched = try await Self.send(gateway, "PATCH", "/api/v1/tickets/\(id)", ["priority": "P1", "subject": "Lost parcel SO-9"])
            #expect(patched.json["priority"] as? String == "P1" && patched.json["subject"] as? String == "Lost parcel SO-9")
            let unknownAgent = try await Self.send(gateway, "POST", "/api/v1/tickets/\(id)/assign", ["assignee": "ghost"])
            #expect(unknownAgent.status == 400 && unknownAgent.json["field"] as? String == "assignee")
            #expect(
                try await Self.send(gateway, "POST", "/api/v1/tickets/\(id)/transition", ["transition": "resolve", "note": "found"]).json["state"]
                    as? String == "resolved")

            let history = try await Self.send(gateway, "GET", "/api/v1/tickets/\(id)/history").json["items"] as? [[String: Any]] ?? []
            let kinds = history.compactMap { $0["kind"] as? String }
            #expect(kinds == ["created", "comment", "comment", "sla.met", "state", "state", "priority", "subject", "state"], "\(kinds)")
            #expect(history.first?["note"] as? String == "customer is upset" && history.last?["note"] as? String == "found")
            let comments = try await Self.send(gateway, "GET", "/api/v1/tickets/\(id)/comments").json["items"] as? [[String: Any]] ?? []
            #expect(comments.count == 2)

            let resolved = try await Self.send(gateway, "GET", "/api/v1/tickets?state=resolved&q=parcel").json["items"] as? [[String: Any]]
            #expect(resolved?.compactMap { $0["id"] as? String } == [id])
            #expect((try await Self.send(gateway, "GET", "/api/v1/tickets?state=open").json["items"] as? [Any])?.isEmpty == true)
            #expect(try await Self.send(gateway, "GET", "/api/v1/tickets?state=shiny").status == 400)
            #expect(try await Self.send(gateway, "GET", "/api/v1/tickets?dueBefore=yesterday").status == 400)
            let linked = try await Self.send(gateway, "GET", "/api/v1/conversations/\(conversation)/tickets").json["items"] as? [[String: Any]]
            #expect(linked?.count == 1)
            // An integration token reads but cannot change tickets.
            let token = try await Self.send(gateway, "GET", "/api/v1/tickets", bearer: "nope")
            #expect(token.status == 401)
        }
        await callback.stop()
    }

    @Test("group-first assignment: least-loaded available member; pick-up groups wait; transfer with a note")
    func assignment() async throws {
        try await Self.start(configure: { configuration in
            configuration.tickets.groups = [TicketGroupSettings(group: "backoffice", assignment: .pickup)]
        }).use { gateway in
            for group in ["support", "backoffice"] {
                #expect(try await Self.send(gateway, "POST", "/api/v1/groups", ["id": group, "name": group]).status == 201)
            }
            for agent in ["ann", "ben"] {
                let created = try await Self.send(
                    gateway, "POST", "/api/v1/agents", ["id": agent, "name": agent, "capacity": 5, "groups": ["support", "backoffice"]])
                #expect(created.status == 201, "\(created.text)")
                #expect(try await Self.send(gateway, "PUT", "/api/v1/agents/\(agent)/presence", ["status": "online"]).status == 200)
            }
            var assignees: [String] = []
            for index in 0..<3 {
                let ticket = try await Self.send(gateway, "POST", "/api/v1/tickets", ["subject": "t\(index)", "group": "support"])
                #expect(ticket.status == 201, "\(ticket.text)")
                assignees.append(ticket.json["assignee"] as? String ?? "-")
            }
            #expect(assignees == ["ann", "ben", "ann"])
            #expect(try await Self.send(gateway, "PUT", "/api/v1/agents/ann/presence", ["status": "offline"]).status == 200)
            let fourth = try await Self.send(gateway, "POST", "/api/v1/tickets", ["subject": "t3", "group": "support"])
            #expect(fourth.json["assignee"] as? String == "ben")
            let pickup = try await Self.send(gateway, "POST", "/api/v1/tickets", ["subject": "t4", "group": "backoffice"])
            #expect(pickup.json["assignee"] is NSNull && pickup.json["group"] as? String == "backoffice")
            let unknown = try await Self.send(gateway, "POST", "/api/v1/tickets", ["subject": "t5", "group": "nowhere"])
            #expect(unknown.status == 400 && unknown.json["field"] as? String == "group")

            // Transfer to the pick-up group with a note: unassigned there.
            let id = fourth.json["id"] as? String ?? ""
            let moved = try await Self.send(
                gateway, "POST", "/api/v1/tickets/\(id)/assign", ["group": "backoffice", "note": "needs a refund approval"])
            #expect(moved.json["group"] as? String == "backoffice" && moved.json["assignee"] is NSNull, "\(moved.text)")
            let taken = try await Self.send(gateway, "POST", "/api/v1/tickets/\(id)/assign", ["assignee": "ben"])
            #expect(taken.json["assignee"] as? String == "ben")
            let history = try await Self.send(gateway, "GET", "/api/v1/tickets/\(id)/history").json["items"] as? [[String: Any]] ?? []
            #expect(history.contains { $0["kind"] as? String == "group" && $0["note"] as? String == "needs a refund approval" })
            let mine = try await Self.send(gateway, "GET", "/api/v1/tickets?assignee=ben&group=backoffice").json["items"] as? [Any]
            #expect(mine?.count == 1)
        }
    }

    @Test("a rule managed through the API opens a ticket from a chat contact's keyword")
    func apiRules() async throws {
        try await Self.start().use { gateway in
            let bad = try await Self.send(
                gateway, "PUT", "/api/v1/ticket-rules", [["name": "x", "on": "contact", "then": ["type": "missing"]]])
            #expect(bad.status == 400 && bad.json["field"] as? String == "[0].then.type", "\(bad.text)")
            let rules: [[String: Any]] = [
                [
                    "name": "refunds", "on": "contact", "when": ["keywords": ["refund"], "channelKinds": ["webchat"]],
                    "then": ["type": "general", "priority": "P1"],
                ]
            ]
            let put = try await Self.send(gateway, "PUT", "/api/v1/ticket-rules", rules)
            #expect(put.status == 200, "\(put.text)")
            #expect((put.json["items"] as? [[String: Any]])?.compactMap { $0["name"] as? String }.first == "refunds")
            let quiet = try await RoutingAPITests.contact(gateway, visitor: "v-2", text: "just browsing")
            let conversation = try await RoutingAPITests.contact(gateway, visitor: "v-3", text: "I want a REFUND please")
            var tickets: [[String: Any]] = []
            for _ in 0..<250 {
                tickets = try await Self.send(gateway, "GET", "/api/v1/conversations/\(conversation)/tickets").json["items"] as? [[String: Any]] ?? []
                if !tickets.isEmpty { break }
                try await Task.sleep(for: .milliseconds(20))
            }
            #expect(tickets.count == 1 && tickets.first?["createdBy"] as? String == "refunds" && tickets.first?["priority"] as? String == "P1")
            let none = try await Self.send(gateway, "GET", "/api/v1/conversations/\(quiet)/tickets").json["items"] as? [Any]
            #expect(none?.isEmpty == true)
        }
    }

    @Test("SLA warnings and breaches reach the webhook signed, retried until the receiver accepts, each once")
    func webhook() async throws {
        let receiver = try await CallbackRecorder.start()
        receiver.setFailing(true)
        let secret = "ticket-webhook-secret-0123"
        try await Self.start(configure: { configuration in
            configuration.tickets.webhookURL = "http://127.0.0.1:\(receiver.port)/sla"
            configuration.tickets.webhookSecret = secret
            configuration.tickets.timerIntervalMilliseconds = 50
            configuration.delivery.initialBackoffSeconds = 1
            configuration.delivery.maxBackoffSeconds = 2
        }).use { gateway in
            // A ticket opened ten hours ago (as if the gateway had been down): all four marks are due.
            let ticket = try await gateway.gateway.tickets.open(
                TicketDraft(type: "general", subject: "Overdue", createdBy: "api"), actor: "test", at: Date().addingTimeInterval(-10 * 3600))
            for _ in 0..<300 where receiver.refused < 2 { try await Task.sleep(for: .milliseconds(20)) }
            #expect(receiver.refused >= 2, "the receiver was tried and refused: \(receiver.refused)")
            receiver.setFailing(false)
            let received = await receiver.waitFor(count: 4, timeout: .seconds(30))
            try await Task.sleep(for: .milliseconds(500))
            #expect(receiver.received.count == 4)
            // Retries may reorder deliveries (each backs off on its own); each event arrives once.
            #expect(
                received.compactMap { $0.headers["x-switchboard-event"] }.sorted()
                    == ["ticket.sla_breached", "ticket.sla_breached", "ticket.sla_warning", "ticket.sla_warning"])
            #expect(Set(received.compactMap { $0.headers["x-switchboard-delivery"] }).count == 4)
            let signature = WebChatSignature(secret: secret)
            for request in received {
                #expect(
                    signature.verify(
                        body: request.body, timestamp: request.headers["x-switchboard-timestamp"],
                        signature: request.headers["x-switchboard-signature"], now: Date()) == nil)
                let body = try JSONSerialization.jsonObject(with: request.body) as? [String: Any]
                #expect((body?["ticket"] as? [String: Any])?["id"] as? String == ticket.id.rawValue)
            }
            let stored = try await Self.send(gateway, "GET", "/api/v1/tickets/\(ticket.id)").json
            #expect((stored["sla"] as? [String: Any])?["breached"] as? Bool == true)
            // Two breaches: P3 → P2 → P1.
            #expect(stored["priority"] as? String == "P1")
            let breached = try await Self.send(gateway, "GET", "/api/v1/tickets?breached=true").json["items"] as? [Any]
            #expect(breached?.count == 1)
        }
        await receiver.stop()
    }
}
