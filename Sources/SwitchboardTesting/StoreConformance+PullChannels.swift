import Foundation
import SwitchboardCore
import SwitchboardStore

/// The checks of ``StoreConformance`` for pull channels: checkpoints and recorded contacts.
extension StoreConformance {
    static let pullChannelChecks: [Check] = [
        ("checkpoints advance only along their chain, for duplicates too, in the contact's transaction", { s, store in
            try await s.checkpointChain(store)
        }),
        ("recorded contacts are kept once, linked to the message they relate to, and open nothing", { s, store in
            try await s.recordedContacts(store)
        }),
        ("replies carry their own external id and the thread's (in-reply-to, references, subject) to delivery", { s, store in
            try await s.replyThreading(store)
        }),
        ("acknowledgements: one per customer per window, automatic to delivery, stored with the consumer position", { s, store in
            try await s.acknowledgements(store)
        }),
    ]

    func acknowledgements(_ store: any GatewayStore) async throws {
        let check = "acknowledgements"
        let first = try await ingest(store, [Fixtures.contact(externalID: "ack-1", visitor: "uma")])[0]
        let other = try await ingest(store, [Fixtures.contact(externalID: "ack-2", visitor: "vic")])[0]
        func ack(_ conversation: ConversationID, at time: Date) -> AgentReply {
            AgentReply(
                conversationID: conversation, author: Acknowledgement.author, text: "got it", html: nil, createdAt: time, deliver: true,
                automatic: true)
        }
        let now = Date()
        let window: [ChannelID: Duration] = [ChannelID(rawValue: "web"): .seconds(3600)]
        let stored = try await store.appendAcknowledgements(
            [ack(first.conversationID, at: now), ack(first.conversationID, at: now), ack(other.conversationID, at: now)], window: window,
            consumer: "acks", position: 41)
        try expect(stored.count == 2, check, "one per customer within the window, got \(stored.count)")
        let position = try await store.consumerPosition("acks")
        try expect(position == 41, check, "the position is saved with them")
        let due = try await store.dueDeliveries(now: now.addingTimeInterval(1), limit: 10)
        try expect(due.count == 2 && due.allSatisfy(\.message.automatic), check, "acknowledgements reach delivery marked automatic")
        let later = try await store.appendAcknowledgements(
            [ack(first.conversationID, at: now.addingTimeInterval(3601))], window: window, consumer: "acks", position: 42)
        try expect(later.count == 1, check, "after the window the customer is acknowledged again")
    }

    func replyThreading(_ store: any GatewayStore) async throws {
        let check = "reply threading"
        var first = Fixtures.contact(externalID: "<m1@customer.test>", visitor: "tia")
        first.routing = RoutingAttributes(extra: ["subject": "Parcel missing"])
        let receipt = try await ingest(store, [first])[0]
        let reply = try await store.appendReply(
            AgentReply(
                conversationID: receipt.conversationID, author: "agent-1", text: "on it", html: nil, createdAt: Date(), deliver: true,
                externalID: "<sb.1@shop.test>"))
        try expect(reply.externalID == "<sb.1@shop.test>", check, "the reply keeps its external id")
        let answer = try await ingest(store, [Fixtures.contact(externalID: "<m2@customer.test>", visitor: "tia")])[0]
        try expect(answer.conversationID == receipt.conversationID, check, "the customer's answer joins the conversation")
        let second = try await store.appendReply(
            AgentReply(
                conversationID: receipt.conversationID, author: "agent-1", text: "found it", html: nil, createdAt: Date(),
                deliver: true, externalID: "<sb.2@shop.test>"))
        let due = try await store.dueDeliveries(now: Date().addingTimeInterval(1), limit: 10)
        guard let firstDue = due.first(where: { $0.message.messageID == reply.id }),
            let secondDue = due.first(where: { $0.message.messageID == second.id })
        else { throw ConformanceFailure(check: check, message: "both replies are due") }
        try expect(firstDue.message.externalID == "<sb.1@shop.test>", check, "delivery carries the reply's external id")
        try expect(firstDue.message.subject == "Parcel missing", check, "delivery carries the conversation's subject")
        try expect(
            firstDue.message.inReplyTo == "<m1@customer.test>" && firstDue.message.references == ["<m1@customer.test>"], check,
            "the first reply answers the first message: \(firstDue.message.inReplyTo ?? "nil") \(firstDue.message.references)")
        try expect(
            secondDue.message.inReplyTo == "<m2@customer.test>"
                && secondDue.message.references == ["<m1@customer.test>", "<sb.1@shop.test>", "<m2@customer.test>"], check,
            "the second reply answers the latest customer message, with the whole chain: \(secondDue.message.references)")
        let found = try await store.message(channelID: first.channelID, externalID: "<sb.2@shop.test>")
        try expect(found?.id == second.id, check, "a reply is found by its external id (bounces and answers link to it)")
    }

    func checkpointChain(_ store: any GatewayStore) async throws {
        let check = "checkpoint chain"
        let channel = ChannelID(rawValue: "web")
        func contact(_ id: String, expected: String?, value: String) -> InboundContact {
            var contact = Fixtures.contact(externalID: id)
            contact.checkpoint = ChannelCheckpoint(scope: "INBOX", expected: expected, value: value)
            return contact
        }
        var stored = try await store.checkpoint(channel: channel, scope: "INBOX")
        try expect(stored == nil, check, "no checkpoint before the first contact")
        _ = try await ingest(store, [contact("c1", expected: nil, value: "7:1"), contact("c2", expected: "7:1", value: "7:2")])
        stored = try await store.checkpoint(channel: channel, scope: "INBOX")
        try expect(stored == "7:2", check, "a chain within one batch ends at its last value, got \(stored ?? "nil")")
        // A link whose predecessor never committed leaves the checkpoint alone.
        _ = try await ingest(store, [contact("c4", expected: "7:3", value: "7:4")])
        stored = try await store.checkpoint(channel: channel, scope: "INBOX")
        try expect(stored == "7:2", check, "a broken chain does not move the checkpoint, got \(stored ?? "nil")")
        // Re-fetching after the gap: c3 is new, c4 is a duplicate and still advances the chain.
        let receipts = try await ingest(store, [contact("c3", expected: "7:2", value: "7:3"), contact("c4", expected: "7:3", value: "7:4")])
        try expect(!receipts[0].duplicate && receipts[1].duplicate, check, "c3 new, c4 duplicate")
        stored = try await store.checkpoint(channel: channel, scope: "INBOX")
        try expect(stored == "7:4", check, "duplicates advance the chain, got \(stored ?? "nil")")
        let other = try await store.checkpoint(channel: channel, scope: "Archive")
        try expect(other == nil, check, "scopes are separate")
        // A batch that fails as a whole takes its checkpoint with it.
        let existing = try await ingest(store, [contact("c6", expected: "7:9", value: "7:10")])[0]
        var clash = Fixtures.prepared(contact("c5", expected: "7:4", value: "7:5"))
        clash.messageID = existing.messageID  // a message-id clash: the store must throw
        _ = try? await store.commit([.contact(clash)], policy: policy, now: Date())
        stored = try await store.checkpoint(channel: channel, scope: "INBOX")
        try expect(stored == "7:4", check, "a failed transaction does not move the checkpoint, got \(stored ?? "nil")")
    }

    func recordedContacts(_ store: any GatewayStore) async throws {
        let check = "recorded contacts"
        let channel = ChannelID(rawValue: "mail")
        let original = InboundContact(
            channelID: channel, channelKind: .email, externalID: "<order-1@shop.example>", occurredAt: Date(),
            sender: try Handle.email("li@example.com"), threadHints: ThreadHints(byInactivityWindow: false), text: "hello",
            raw: RawPayload(contentType: "message/rfc822", bytes: Data("original".utf8)))
        let receipt = try await ingest(store, [original])[0]
        let before = try await store.statistics()
        let bounce = RecordedContact(
            channelID: channel, channelKind: .email, externalID: "<dsn-1@mx.example>", occurredAt: Date(),
            sender: try Handle.email("mailer-daemon@mx.example"), summary: "Undelivered Mail Returned to Sender",
            reason: .bounce, detail: "delivery status notification", relatesTo: ["<nobody@x>", "<order-1@shop.example>"],
            raw: RawPayload(contentType: "message/rfc822", bytes: Data("bounce bytes".utf8)),
            checkpoint: ChannelCheckpoint(scope: "INBOX", expected: nil, value: "1:1"))
        let outcomes = try await store.commit([.recorded(bounce), .recorded(bounce)], policy: policy, now: Date())
        guard case .success(.recorded(let first)) = outcomes[0], case .success(.recorded(let second)) = outcomes[1] else {
            throw ConformanceFailure(check: check, message: "expected two record receipts, got \(outcomes)")
        }
        try expect(!first.duplicate && second.duplicate && first.recordID == second.recordID, check,
            "a record is kept once; the second is a duplicate with the same id")
        try expect(first.relatedMessageID == receipt.messageID, check, "the bounce is linked to the message it reports on")
        let after = try await store.statistics()
        try expect(before.conversations == after.conversations && before.messages == after.messages
            && before.customers == after.customers, check, "a record opens no conversation and creates no customer")
        let stored = try await store.checkpoint(channel: channel, scope: "INBOX")
        try expect(stored == "1:1", check, "a record advances the checkpoint like a contact")
        // The same mail already stored as a message is a duplicate, not a second copy.
        var again = bounce
        again.externalID = original.externalID
        again.checkpoint = nil
        let sameAsMessage = try await store.commit([.recorded(again)], policy: policy, now: Date())
        guard case .success(.recorded(let duplicate)) = sameAsMessage[0] else {
            throw ConformanceFailure(check: check, message: "expected a record receipt, got \(sameAsMessage)")
        }
        try expect(duplicate.duplicate && duplicate.relatedMessageID == receipt.messageID, check,
            "a record of a stored message's id is a duplicate of that message")
        let listed = try await store.recordedContacts(RecordQuery(channelID: channel))
        try expect(listed.items.map(\.externalID) == ["<dsn-1@mx.example>"], check, "records are listed: \(listed.items)")
        try expect(listed.items.first?.reason == .bounce && listed.items.first?.relatedMessageID == receipt.messageID,
            check, "listing shows reason and link")
        let raw = try await store.rawPayload(first.recordID)
        try expect(raw?.bytes == Data("bounce bytes".utf8), check, "the raw bytes are kept")
        let none = try await store.recordedContacts(RecordQuery(reason: .oversize))
        try expect(none.items.isEmpty, check, "filter by reason")
    }
}
