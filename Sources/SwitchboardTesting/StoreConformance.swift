import Foundation
import SwitchboardCore
import SwitchboardStore

/// The suite every storage backend must pass, written against the store protocols only so a
/// second backend (PostgreSQL) runs the very same checks.
///
/// ```swift
/// @Test(arguments: StoreConformance.checkNames)
/// func conformance(_ check: String) async throws {
///     try await StoreConformance(makeStore: { try await makeFreshStore() }).run(check)
/// }
/// ```
/// Each check gets a fresh, migrated store from `makeStore`.
public struct StoreConformance: Sendable {
    public let makeStore: @Sendable () async throws -> any GatewayStore
    let policy = ThreadingPolicy(inactivityWindow: 1800)

    public init(makeStore: @escaping @Sendable () async throws -> any GatewayStore) {
        self.makeStore = makeStore
    }

    /// The names of every check, for parameterized tests.
    public static var checkNames: [String] { checks.map(\.name) }

    /// Runs one check by name.
    public func run(_ name: String) async throws {
        guard let check = Self.checks.first(where: { $0.name == name }) else {
            throw ConformanceFailure(check: name, message: "no such check")
        }
        let store = try await makeStore()
        try await store.migrate()
        do {
            try await check.body(self, store)
        } catch {
            try? await store.close()
            throw error
        }
        try await store.close()
    }

    /// Runs every check.
    public func runAll() async throws {
        for name in Self.checkNames { try await run(name) }
    }

    typealias Check = (name: String, body: @Sendable (StoreConformance, any GatewayStore) async throws -> Void)

    static let checks: [Check] = coreChecks + routingChecks + pullChannelChecks + ticketChecks + reportChecks

    static let coreChecks: [Check] = [
        ("migrate is idempotent", { _, store in try await store.migrate() }),
        ("new contact creates customer, conversation, message, raw and outbox event", { s, store in try await s.newContact(store) }),
        ("redelivery in a later batch is a duplicate with the original ids", { s, store in try await s.redeliveryLater(store) }),
        ("redelivery within one batch is a duplicate", { s, store in try await s.redeliverySameBatch(store) }),
        ("same handle threads into one customer and conversation", { s, store in try await s.sameHandle(store) }),
        ("inactivity window elapsed starts a new conversation", { s, store in try await s.inactivity(store) }),
        ("closed conversation is not continued", { s, store in try await s.closedConversation(store) }),
        ("channels and visitors are kept apart", { s, store in try await s.separation(store) }),
        ("text and attachments are stored verbatim", { s, store in try await s.verbatim(store) }),
        ("profile details update the customer without joining customers", { s, store in try await s.profile(store) }),
        ("linked handles find and join one person's handles, never another's", { s, store in try await s.linkedHandles(store) }),
        ("ratings are recorded once and only for the sender's conversation", { s, store in try await s.ratings(store) }),
        ("conversation listing filters and pages", { s, store in try await s.listing(store) }),
        ("merge moves handles and conversations; refuses bad merges", { s, store in try await s.merge(store) }),
        ("replies queue deliveries that can be retried, delivered or failed", { s, store in try await s.deliveries(store) }),
        ("tokens are found by hash only", { s, store in try await s.tokens(store) }),
    ]

    // MARK: Helpers

    func ingest(_ store: any GatewayStore, _ contacts: [InboundContact], now: Date = Date()) async throws -> [IngestReceipt] {
        let outcomes = try await store.commit(contacts.map { .contact(Fixtures.prepared($0)) }, policy: policy, now: now)
        return try outcomes.map { outcome in
            guard case .success(.contact(let receipt)) = outcome else {
                throw ConformanceFailure(check: "ingest", message: "expected a contact receipt, got \(outcome)")
            }
            return receipt
        }
    }

    // MARK: Checks

    func newContact(_ store: any GatewayStore) async throws {
        let check = "new contact"
        let contact = Fixtures.contact(
            externalID: "m-1", text: "first", routing: RoutingAttributes(sourcePage: "https://shop.example/p", vipLevel: 3))
        let receipt = try await ingest(store, [contact])[0]
        try expect(!receipt.duplicate && receipt.newConversation, check, "first contact must be new: \(receipt)")
        guard let detail = try await store.conversation(receipt.conversationID) else {
            throw ConformanceFailure(check: check, message: "conversation not found")
        }
        try expect(detail.conversation.customerID == receipt.customerID, check, "conversation belongs to the receipt's customer")
        try expect(detail.conversation.status == .queued, check, "new conversation is queued, got \(detail.conversation.status)")
        try expect(detail.conversation.number == receipt.conversationNumber, check, "number matches the receipt")
        try expect(detail.conversation.priority == 3, check, "priority starts at the contact's VIP level")
        try expect(detail.messages.count == 1 && detail.messages[0].text == "first", check, "one message with its text")
        try expect(detail.messages[0].externalID == "m-1" && detail.messages[0].direction == .inbound, check, "external id and direction kept")
        let byNumber = try await store.conversation(number: receipt.conversationNumber)
        try expect(byNumber?.conversation.id == receipt.conversationID, check, "conversation found by number")
        let customer = try await store.customer(receipt.customerID)
        try expect(customer?.customer.handles == [contact.sender], check, "customer has the sender handle")
        let events = try await store.events(after: 0, limit: 10)
        try expect(
            events.contains { $0.topic == "contact.ingested" && $0.messageID == receipt.messageID }, check,
            "a contact.ingested outbox event is written with the message")
        let found = try await store.message(channelID: contact.channelID, externalID: "m-1")
        try expect(found?.id == receipt.messageID, check, "message found by external id")
    }

    func redeliveryLater(_ store: any GatewayStore) async throws {
        let check = "redelivery later"
        let contact = Fixtures.contact(externalID: "dup-1")
        let first = try await ingest(store, [contact])[0]
        let before = try await store.statistics()
        var again = contact
        again.text = "changed on redelivery"
        let second = try await ingest(store, [again])[0]
        try expect(second.duplicate, check, "second delivery must be flagged duplicate")
        try expect(
            second.messageID == first.messageID && second.conversationID == first.conversationID
                && second.customerID == first.customerID, check, "duplicate answers with the original ids")
        let after = try await store.statistics()
        try expect(before == after, check, "a duplicate writes nothing: \(before) → \(after)")
    }

    func redeliverySameBatch(_ store: any GatewayStore) async throws {
        let check = "redelivery same batch"
        let contact = Fixtures.contact(externalID: "dup-2")
        let receipts = try await ingest(store, [contact, contact, contact])
        try expect(!receipts[0].duplicate && receipts[1].duplicate && receipts[2].duplicate, check, "only the first is new")
        try expect(Set(receipts.map(\.messageID)).count == 1, check, "all answer with the same message id")
        let stats = try await store.statistics()
        try expect(stats.messages == 1 && stats.conversations == 1 && stats.customers == 1, check, "one of each: \(stats)")
    }

    func sameHandle(_ store: any GatewayStore) async throws {
        let check = "same handle"
        let receipts = try await ingest(
            store, (1...5).map { Fixtures.contact(externalID: "s-\($0)", visitor: "alice") })
        try expect(Set(receipts.map(\.customerID)).count == 1, check, "one customer for one handle")
        try expect(Set(receipts.map(\.conversationID)).count == 1, check, "one conversation within the window")
        try expect(receipts.filter(\.newConversation).count == 1, check, "only the first opens a conversation")
        let detail = try await store.conversation(receipts[0].conversationID)
        try expect(detail?.messages.map(\.externalID) == (1...5).map { "s-\($0)" }, check, "messages in arrival order")
    }

    func inactivity(_ store: any GatewayStore) async throws {
        let check = "inactivity"
        let start = Date()
        let first = try await ingest(store, [Fixtures.contact(externalID: "i-1", visitor: "bob")], now: start)[0]
        let within = try await ingest(
            store, [Fixtures.contact(externalID: "i-2", visitor: "bob")], now: start.addingTimeInterval(1700))[0]
        try expect(within.conversationID == first.conversationID, check, "within the window continues")
        let later = try await ingest(
            store, [Fixtures.contact(externalID: "i-3", visitor: "bob")], now: start.addingTimeInterval(1700 + 1801))[0]
        try expect(later.conversationID != first.conversationID && later.newConversation, check, "after the window starts anew")
        try expect(later.customerID == first.customerID, check, "same customer")
        try expect(later.conversationNumber > first.conversationNumber, check, "numbers increase")
    }

    func closedConversation(_ store: any GatewayStore) async throws {
        let check = "closed"
        let first = try await ingest(store, [Fixtures.contact(externalID: "c-1", visitor: "carol")])[0]
        let closed = try await store.close(first.conversationID, at: Date())
        try expect(closed.status == .closed, check, "close returns the closed conversation")
        _ = try await store.close(first.conversationID, at: Date())  // closing twice is a no-op
        let next = try await ingest(store, [Fixtures.contact(externalID: "c-2", visitor: "carol")])[0]
        try expect(next.conversationID != first.conversationID && next.newConversation, check, "a new conversation after close")
        do {
            _ = try await store.close(ConversationID("no-such-conversation"), at: Date())
            throw ConformanceFailure(check: check, message: "closing an unknown conversation must throw")
        } catch let error as StoreError {
            try expect(error.httpStatus == 404, check, "unknown conversation is not found")
        }
    }

    func separation(_ store: any GatewayStore) async throws {
        let check = "separation"
        let receipts = try await ingest(
            store,
            [
                Fixtures.contact(channel: "web", externalID: "x", visitor: "v"),
                Fixtures.contact(channel: "shop", externalID: "x", visitor: "v"),
                Fixtures.contact(channel: "web", externalID: "y", visitor: "w"),
            ])
        try expect(!receipts.contains(where: \.duplicate), check, "the same external id on two channels is two contacts")
        try expect(Set(receipts.map(\.customerID)).count == 3, check, "visitor ids are scoped by channel")
        try expect(Set(receipts.map(\.conversationID)).count == 3, check, "three conversations")
    }

    func verbatim(_ store: any GatewayStore) async throws {
        let check = "verbatim"
        let bytes = Data((0...255).map { UInt8($0) })
        let contact = Fixtures.contact(
            externalID: "v-1", text: Fixtures.hostileText,
            attachments: [InboundAttachment(name: "../../etc/passwd\u{202E}gpj.exe", contentType: "image/png", data: bytes)])
        let receipt = try await ingest(store, [contact])[0]
        let message = try await store.conversation(receipt.conversationID)?.messages.first
        try expect(message?.text == Fixtures.hostileText, check, "text must round-trip byte for byte")
        try expect(message?.attachments.count == 1, check, "attachment recorded")
        try expect(message?.attachments.first?.sha256 == Attachment.digest(of: bytes), check, "attachment addressed by content")
        try expect(message?.attachments.first?.name == "../../etc/passwd\u{202E}gpj.exe", check, "hostile name kept as metadata only")
    }

    func profile(_ store: any GatewayStore) async throws {
        let check = "profile"
        let first = try await ingest(store, [Fixtures.contact(externalID: "p-1", visitor: "dan", attributes: ["plan": "free"])])[0]
        _ = try await ingest(
            store, [Fixtures.contact(externalID: "p-2", visitor: "dan", name: "Dan", attributes: ["plan": "pro", "email": "dan@example.com"])])
        let customer = try await store.customer(first.customerID)?.customer
        try expect(customer?.name == "Dan", check, "name filled in when the customer had none")
        try expect(customer?.attributes == ["plan": "pro", "email": "dan@example.com"], check, "attributes merged, newest wins: \(String(describing: customer?.attributes))")
        let other = try await ingest(store, [Fixtures.contact(externalID: "p-3", visitor: "eve", attributes: ["email": "dan@example.com"])])[0]
        try expect(other.customerID != first.customerID, check, "a self-reported email never joins two customers")
    }

    func linkedHandles(_ store: any GatewayStore) async throws {
        let check = "linked handles"
        let union = Handle(kind: "wechat-unionid", value: "u-1")
        func contact(_ id: String, openID: String, linked: [Handle]) -> InboundContact {
            var contact = Fixtures.contact(externalID: id)
            contact.sender = Handle(kind: "wechat-openid", value: openID)
            contact.linkedHandles = linked
            return contact
        }
        // One person on two accounts: the second OpenID finds the customer through the UnionID.
        let first = try await ingest(store, [contact("l-1", openID: "app1:o1", linked: [union])])[0]
        let second = try await ingest(store, [contact("l-2", openID: "app2:o9", linked: [union])])[0]
        try expect(first.customerID == second.customerID, check, "the linked handle joins the two OpenIDs")
        let handles = Set(try await store.customer(first.customerID)?.customer.handles ?? [])
        try expect(
            handles == [union, Handle(kind: "wechat-openid", value: "app1:o1"), Handle(kind: "wechat-openid", value: "app2:o9")], check,
            "the customer holds both OpenIDs and the UnionID: \(handles)")
        // A known sender keeps its customer even when it names another's linked handle.
        let stranger = try await ingest(store, [contact("l-3", openID: "app1:o2", linked: [])])[0]
        let claim = try await ingest(store, [contact("l-4", openID: "app1:o2", linked: [union])])[0]
        try expect(claim.customerID == stranger.customerID && claim.customerID != first.customerID, check, "no silent join of two customers")
        let strangerHandles = try await store.customer(stranger.customerID)?.customer.handles ?? []
        try expect(!strangerHandles.contains(union), check, "a handle held by another customer stays with them")
        // Without linked handles nothing changes.
        let plain = try await ingest(store, [contact("l-5", openID: "app3:o3", linked: [])])[0]
        try expect(plain.customerID != first.customerID, check, "no linked handle, no join")
    }

    func ratings(_ store: any GatewayStore) async throws {
        let check = "ratings"
        let receipt = try await ingest(store, [Fixtures.contact(externalID: "r-1", visitor: "fay")])[0]
        let rating = Fixtures.rating(externalID: "rate-1", visitor: "fay", conversation: receipt.conversationID, score: 2)
        let stranger = Fixtures.rating(externalID: "rate-2", visitor: "mallory", conversation: receipt.conversationID)
        let outcomes = try await store.commit(
            [.rating(rating), .rating(rating), .rating(stranger), .contact(Fixtures.prepared(Fixtures.contact(externalID: "r-2", visitor: "fay")))],
            policy: policy, now: Date())
        guard case .success(.rating(let first)) = outcomes[0], case .success(.rating(let second)) = outcomes[1] else {
            throw ConformanceFailure(check: check, message: "ratings must succeed: \(outcomes)")
        }
        try expect(!first.duplicate && second.duplicate && first.ratingID == second.ratingID, check, "rating deduped on its id")
        try expect(outcomes[2] == .failure(.conversationNotFound), check, "a stranger cannot rate someone else's conversation")
        guard case .success(.contact) = outcomes[3] else {
            throw ConformanceFailure(check: check, message: "a refused item must not fail the rest of its batch")
        }
        let stats = try await store.statistics()
        try expect(stats.ratings == 1, check, "one rating stored, got \(stats.ratings)")
    }

    func listing(_ store: any GatewayStore) async throws {
        let check = "listing"
        var receipts: [IngestReceipt] = []
        for index in 0..<7 {
            receipts += try await ingest(store, [Fixtures.contact(channel: index % 2 == 0 ? "web" : "shop", externalID: "l-\(index)", visitor: "l\(index)")])
        }
        _ = try await store.close(receipts[0].conversationID, at: Date())
        var seen: [Int64] = []
        var cursor: Int64?
        repeat {
            let page = try await store.conversations(ConversationQuery(limit: 3, before: cursor))
            try expect(page.items.count <= 3, check, "page size respected")
            seen += page.items.map(\.number)
            cursor = page.nextCursor
        } while cursor != nil
        try expect(seen == seen.sorted(by: >) && seen.count == 7 && Set(seen).count == 7, check, "pages cover everything once, newest first: \(seen)")
        let web = try await store.conversations(ConversationQuery(channelID: ChannelID(rawValue: "web")))
        try expect(web.items.count == 4 && web.items.allSatisfy { $0.channelID.rawValue == "web" }, check, "channel filter")
        let closed = try await store.conversations(ConversationQuery(status: .closed))
        try expect(closed.items.map(\.id) == [receipts[0].conversationID], check, "status filter")
        let mine = try await store.conversations(ConversationQuery(customerID: receipts[3].customerID))
        try expect(mine.items.map(\.id) == [receipts[3].conversationID], check, "customer filter")
    }

    func merge(_ store: any GatewayStore) async throws {
        let check = "merge"
        let a = try await ingest(store, [Fixtures.contact(channel: "web", externalID: "g-1", visitor: "gus", attributes: ["tier": "gold"])])[0]
        let b = try await ingest(store, [Fixtures.contact(channel: "shop", externalID: "g-2", visitor: "gus-shop", attributes: ["tier": "silver", "region": "north"])])[0]
        let merged = try await store.merge(b.customerID, into: a.customerID, at: Date())
        try expect(merged.customer.id == a.customerID, check, "result is the target")
        try expect(merged.customer.handles.count == 2, check, "handles moved: \(merged.customer.handles)")
        try expect(Set(merged.conversations.map(\.id)) == [a.conversationID, b.conversationID], check, "conversations moved")
        try expect(merged.customer.attributes == ["tier": "gold", "region": "north"], check, "target attributes win")
        let viaSource = try await store.customer(b.customerID)
        try expect(viaSource?.customer.id == a.customerID, check, "the merged id resolves to the target")
        let next = try await ingest(store, [Fixtures.contact(channel: "shop", externalID: "g-3", visitor: "gus-shop")])[0]
        try expect(next.customerID == a.customerID, check, "new contacts from a moved handle reach the target")
        for (source, target, status) in [(a.customerID, a.customerID, 409), (CustomerID("nobody"), a.customerID, 404), (b.customerID, a.customerID, 409)] {
            do {
                _ = try await store.merge(source, into: target, at: Date())
                throw ConformanceFailure(check: check, message: "merge \(source) into \(target) must be refused")
            } catch let error as StoreError {
                try expect(error.httpStatus == status, check, "merge \(source) into \(target) answers \(status), got \(error.httpStatus)")
            }
        }
    }

    func deliveries(_ store: any GatewayStore) async throws {
        let check = "deliveries"
        let contact = Fixtures.contact(externalID: "d-1", visitor: "hal")
        let receipt = try await ingest(store, [contact])[0]
        let now = Date()
        let reply = try await store.appendReply(
            AgentReply(conversationID: receipt.conversationID, author: "agent-1", text: "hi", html: nil, createdAt: now, deliver: true))
        try expect(reply.direction == .outbound && reply.deliveryState == "pending", check, "reply recorded as pending")
        var due = try await store.dueDeliveries(now: now.addingTimeInterval(1), limit: 10)
        try expect(due.count == 1 && due[0].message.messageID == reply.id, check, "the reply is due")
        try expect(due[0].message.recipient == contact.sender, check, "delivery goes to the conversation's handle")
        try expect(due[0].message.conversationNumber == receipt.conversationNumber, check, "delivery knows the conversation number")
        try await store.reschedule(due[0].id, attempts: 1, nextAttemptAt: now.addingTimeInterval(60), error: "callback answered 503")
        due = try await store.dueDeliveries(now: now.addingTimeInterval(30), limit: 10)
        try expect(due.isEmpty, check, "a rescheduled delivery waits for its time")
        let next = try await store.nextDeliveryDue()
        try expect(next.map { abs($0.timeIntervalSince(now.addingTimeInterval(60))) < 1 } == true, check, "next due time is reported")
        due = try await store.dueDeliveries(now: now.addingTimeInterval(61), limit: 10)
        try expect(due.count == 1 && due[0].attempts == 1, check, "attempts are counted")
        try await store.markDelivered(due[0].id, at: Date())
        let delivered = try await store.conversation(receipt.conversationID)?.messages.last
        try expect(delivered?.deliveryState == "delivered", check, "message shows delivered")
        let remaining = try await store.dueDeliveries(now: now.addingTimeInterval(3600), limit: 10)
        try expect(remaining.isEmpty, check, "nothing left to deliver")

        let card = LinkCard(url: "https://help.example.com/r", title: "Returns", description: "30 days", imageURL: "https://img.example.com/r.png")
        let failing = try await store.appendReply(
            AgentReply(
                conversationID: receipt.conversationID, author: "agent-1", text: "again", html: nil, links: [card], createdAt: now,
                deliver: true))
        try expect(failing.parts == [.link(card)], check, "a reply's link cards are its link parts")
        let pending = try await store.dueDeliveries(now: now.addingTimeInterval(1), limit: 10)
        try expect(pending.first?.message.links == [card], check, "the delivery carries the reply's link cards")
        let shown = try await store.conversation(receipt.conversationID)?.messages.first { $0.id == failing.id }
        try expect(shown?.parts == [.link(card)], check, "the stored reply shows its link cards")
        try await store.markFailed(pending[0].id, attempts: 3, at: Date(), error: "gave up")
        let failed = try await store.conversation(receipt.conversationID)?.messages.first { $0.id == failing.id }
        try expect(failed?.deliveryState == "failed", check, "message shows failed")
        let depth = try await store.outboxDepth()
        try expect(depth.pendingDeliveries == 0 && depth.failedDeliveries == 1, check, "depth counts: \(depth)")

        _ = try await store.close(receipt.conversationID, at: Date())
        do {
            _ = try await store.appendReply(
                AgentReply(conversationID: receipt.conversationID, author: "a", text: "late", html: nil, createdAt: now, deliver: true))
            throw ConformanceFailure(check: check, message: "replying to a closed conversation must be refused")
        } catch let error as StoreError {
            try expect(error.httpStatus == 409, check, "closed conversation → conflict")
        }
    }

    func tokens(_ store: any GatewayStore) async throws {
        let check = "tokens"
        let token = StoredToken(id: "t1", hash: String(repeating: "a", count: 64), scope: .agent, name: "Ann", createdAt: Date())
        try await store.createToken(token)
        let found = try await store.token(hash: token.hash)
        try expect(found?.scope == .agent && found?.name == "Ann", check, "token found by hash with its scope")
        let unknown = try await store.token(hash: String(repeating: "b", count: 64))
        try expect(unknown == nil, check, "unknown hash finds nothing")
    }
}
