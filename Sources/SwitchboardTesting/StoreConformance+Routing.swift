import Foundation
import SwitchboardCore
import SwitchboardRouting
import SwitchboardStore

/// The routing store checks of ``StoreConformance``.
extension StoreConformance {
    static let routingChecks: [Check] = [
        ("routing definitions and presence are kept until deleted", { s, store in try await s.routingDefinitions(store) }),
        ("routing changes save entry, conversation state, history and consumer position together", { s, store in
            try await s.routingChanges(store)
        }),
        ("routing contexts carry the first message, returning agent and bad ratings", { s, store in
            try await s.routingContexts(store)
        }),
        ("unrouted conversations are listed until routed", { s, store in try await s.unrouted(store) }),
        ("customer updates set name, VIP level and attributes, and reach routing", { s, store in
            try await s.customerUpdates(store)
        }),
        ("routing rules are stored in order", { s, store in try await s.routingRules(store) }),
        ("mail threads by the messages it replies to and by subject token, never by time", { s, store in
            try await s.mailThreading(store)
        }),
        ("knowledge-base articles are searched in Chinese and English, replaced and deleted", { s, store in
            try await s.knowledgeBase(store)
        }),
    ]

    func routingDefinitions(_ store: any GatewayStore) async throws {
        let check = "routing definitions"
        let agent = Agent(id: AgentID("alice"), name: "Alice", skills: ["refunds": 7], capacity: 4)
        let group = RoutingGroup(
            id: GroupID("sales"), name: "Sales", members: [AgentID("alice")], strategy: .skill,
            businessHours: BusinessHours(timezone: "Asia/Shanghai", weekly: [.init(days: [.mon], start: "09:00", end: "18:00")]),
            sources: SourceMap(keywords: ["refund": [AgentID("alice")]]))
        try await store.saveAgent(agent, at: Date())
        try await store.saveGroup(group, at: Date())
        try await store.savePresence(.online, of: agent.id, at: Date())
        var snapshot = try await store.loadRouting(dayStart: Date())
        try expect(snapshot.agents.map(\.agent) == [agent], check, "agent kept as saved: \(snapshot.agents)")
        try expect(snapshot.agents.first?.presence == .online, check, "presence kept")
        try expect(snapshot.groups == [group], check, "group kept as saved: \(snapshot.groups)")
        var renamed = agent
        renamed.name = "Alice B."
        try await store.saveAgent(renamed, at: Date())
        snapshot = try await store.loadRouting(dayStart: Date())
        try expect(snapshot.agents.map(\.agent) == [renamed] && snapshot.agents.first?.presence == .online, check,
            "saving an agent again updates it and keeps its presence")
        try await store.deleteAgent(agent.id)
        try await store.deleteGroup(group.id)
        snapshot = try await store.loadRouting(dayStart: Date())
        try expect(snapshot.agents.isEmpty && snapshot.groups.isEmpty, check, "deleted definitions are gone")
    }

    func routingChanges(_ store: any GatewayStore) async throws {
        let check = "routing changes"
        let receipt = try await ingest(store, [Fixtures.contact(externalID: "rt-1", visitor: "gus")])[0]
        // Whole milliseconds: stores keep times to the millisecond.
        let now = Date(timeIntervalSince1970: Double(Int64(Date().timeIntervalSince1970 * 1000)) / 1000)
        let request = RoutingRequest(
            conversationID: receipt.conversationID, customerID: receipt.customerID, group: GroupID("sales"), level: 3,
            channelID: "web")
        func decision(_ outcome: RoutingDecision.Outcome, agent: AgentID?) -> RoutingDecision {
            RoutingDecision(
                conversationID: receipt.conversationID, outcome: outcome, group: GroupID("sales"), agent: agent,
                step: agent == nil ? .queue : .leastLoad, rule: "default", level: 3, ahead: agent == nil ? 0 : nil,
                skipped: [SkippedCandidate(agent: AgentID("bob"), reason: .offline)], unavailableMembers: 1,
                detail: "test", decidedAt: now)
        }
        let waiting = RoutingEntry(state: .waiting, request: request, agent: nil, sequence: 5, since: now)
        try await store.saveRouting(
            [RoutingChange(conversationID: receipt.conversationID, entry: waiting, decision: decision(.queued, agent: nil))],
            consumer: ConsumerPosition(consumer: "routing", position: 7), at: now)
        var conversation = try await store.conversation(receipt.conversationID)?.conversation
        try expect(conversation?.status == .queued && conversation?.group == "sales" && conversation?.priority == 3,
            check, "a waiting entry shows the conversation queued in its group at its level: \(String(describing: conversation))")
        try await expectAwaiting(try await store.consumerPosition("routing") == 7, check, "consumer position saved with the change")
        try await expectAwaiting(try await store.consumerPosition("other") == 0, check, "unknown consumers start at 0")
        let assigned = RoutingEntry(state: .assigned, request: request, agent: AgentID("alice"), sequence: 5, since: now)
        try await store.saveRouting(
            [RoutingChange(conversationID: receipt.conversationID, entry: assigned, decision: decision(.assigned, agent: AgentID("alice")))],
            consumer: nil, at: now)
        conversation = try await store.conversation(receipt.conversationID)?.conversation
        try expect(conversation?.status == .assigned && conversation?.assignee == "alice", check, "assignment shown on the conversation")
        let snapshot = try await store.loadRouting(dayStart: now.addingTimeInterval(-60))
        try expect(snapshot.entries == [assigned], check, "the entry reloads exactly: \(snapshot.entries)")
        try expect(snapshot.assignedToday[AgentID("alice")] == 1, check, "today's assignments counted: \(snapshot.assignedToday)")
        let later = try await store.loadRouting(dayStart: now.addingTimeInterval(60))
        try expect(later.assignedToday.isEmpty, check, "assignments before the day start are not today's")
        let history = try await store.routingDecisions(for: receipt.conversationID)
        try expect(history == [decision(.queued, agent: nil), decision(.assigned, agent: AgentID("alice"))], check,
            "decision history kept in order: \(history)")
        _ = try await store.close(receipt.conversationID, at: now)
        try await expectAwaiting(try await store.loadRouting(dayStart: now).entries.isEmpty, check, "a closed conversation's entry is not reloaded")
        let late = try await store.saveRouting(
            [RoutingChange(conversationID: receipt.conversationID, entry: assigned, decision: nil)], consumer: nil, at: now)
        try expect(late == [receipt.conversationID], check, "an entry for a closed conversation is reported back: \(late)")
        conversation = try await store.conversation(receipt.conversationID)?.conversation
        try expect(conversation?.status == .closed, check, "a late routing change does not reopen a closed conversation")
        try await store.saveRouting([RoutingChange(conversationID: receipt.conversationID, entry: nil, decision: nil)], consumer: nil, at: now)
        try await expectAwaiting(try await store.routingDecisions(for: receipt.conversationID).count == 2, check, "releasing keeps the history")
    }

    func routingContexts(_ store: any GatewayStore) async throws {
        let check = "routing contexts"
        let routing = RoutingAttributes(sourcePage: "https://shop.example/pricing", keyword: "coupon", region: "Guangdong", vipLevel: 4)
        let first = try await ingest(
            store, [Fixtures.contact(externalID: "ctx-1", visitor: "hana", text: "我要退款 please", attributes: ["tier": "gold"], routing: routing)])[0]
        _ = try await ingest(store, [Fixtures.contact(externalID: "ctx-2", visitor: "hana", text: "second message")])
        var contexts = try await store.routingContexts(for: [first.conversationID, ConversationID("missing")])
        guard let context = contexts[first.conversationID] else {
            throw ConformanceFailure(check: check, message: "no context for an existing conversation")
        }
        try expect(contexts.count == 1, check, "unknown conversations are left out")
        try expect(context.firstMessageText == "我要退款 please", check, "first message text: \(String(describing: context.firstMessageText))")
        try expect(context.attributes == routing && context.customerAttributes["tier"] == "gold" && context.channelKind == "webchat",
            check, "routing and customer attributes: \(context)")
        try expect(!context.routed && context.returningAgent == nil && context.badlyRated.isEmpty, check, "nothing routed yet")
        let entry = RoutingEntry(
            state: .assigned,
            request: RoutingRequest(conversationID: first.conversationID, customerID: first.customerID, group: GroupID("g"), channelID: "web"),
            agent: AgentID("ivan"), sequence: 1, since: Date())
        try await store.saveRouting(
            [RoutingChange(
                conversationID: first.conversationID, entry: entry,
                decision: RoutingDecision(
                    conversationID: first.conversationID, outcome: .assigned, group: GroupID("g"), agent: AgentID("ivan"),
                    step: .roundRobin, rule: nil, level: 0, ahead: nil, skipped: [], unavailableMembers: 0, detail: "",
                    decidedAt: Date()))],
            consumer: nil, at: Date())
        _ = try await store.commit(
            [.rating(Fixtures.rating(externalID: "ctx-rate", visitor: "hana", conversation: first.conversationID, score: 1))],
            policy: policy, now: Date())
        _ = try await store.close(first.conversationID, at: Date())
        let next = try await ingest(store, [Fixtures.contact(externalID: "ctx-3", visitor: "hana", text: "back again")])[0]
        contexts = try await store.routingContexts(for: [first.conversationID, next.conversationID])
        try expect(contexts[first.conversationID]?.routed == true, check, "a routed conversation says so")
        try expect(contexts[first.conversationID]?.status == .closed, check, "status carried")
        let again = contexts[next.conversationID]
        try expect(again?.returningAgent == AgentID("ivan"), check, "the last agent is the returning agent: \(String(describing: again))")
        try expect(again?.badlyRated == [AgentID("ivan")], check, "a rating of 1 puts the agent on the bad list")
    }

    func customerUpdates(_ store: any GatewayStore) async throws {
        let check = "customer updates"
        let receipt = try await ingest(store, [Fixtures.contact(externalID: "cu-1", visitor: "vic", attributes: ["tier": "gold", "city": "Shenzhen"])])[0]
        let updated = try await store.updateCustomer(
            receipt.customerID,
            CustomerChange(name: "Vic", vipLevel: 8, attributes: ["exclusiveAgent": "alice", "city": nil]), at: Date())
        try expect(updated.customer.name == "Vic" && updated.customer.vipLevel == 8, check, "name and VIP level set: \(updated.customer)")
        try expect(updated.customer.attributes == ["tier": "gold", "exclusiveAgent": "alice"], check,
            "attributes merged, null removes: \(updated.customer.attributes)")
        let context = try await store.routingContexts(for: [receipt.conversationID])[receipt.conversationID]
        try expect(context?.customerVIPLevel == 8 && context?.exclusiveAgent == AgentID("alice"), check,
            "routing sees the VIP level and the exclusive agent: \(String(describing: context))")
        do {
            _ = try await store.updateCustomer(CustomerID("nobody"), CustomerChange(vipLevel: 1), at: Date())
            throw ConformanceFailure(check: check, message: "updating an unknown customer must fail")
        } catch is StoreError {}
    }

    func unrouted(_ store: any GatewayStore) async throws {
        let check = "unrouted"
        let receipts = try await ingest(
            store, [Fixtures.contact(externalID: "u-1", visitor: "u1"), Fixtures.contact(externalID: "u-2", visitor: "u2")])
        try await expectAwaiting(try await store.unroutedConversations(limit: 10) == receipts.map(\.conversationID), check, "both listed, oldest first")
        try await expectAwaiting(try await store.unroutedConversations(limit: 1) == [receipts[0].conversationID], check, "limit respected")
        let entry = RoutingEntry(
            state: .waiting,
            request: RoutingRequest(conversationID: receipts[0].conversationID, customerID: receipts[0].customerID, group: GroupID("g"), channelID: "web"),
            agent: nil, sequence: 1, since: Date())
        try await store.saveRouting([RoutingChange(conversationID: receipts[0].conversationID, entry: entry, decision: nil)], consumer: nil, at: Date())
        _ = try await store.close(receipts[1].conversationID, at: Date())
        try await expectAwaiting(try await store.unroutedConversations(limit: 10).isEmpty, check, "routed and closed conversations are not listed")
    }

    func mailThreading(_ store: any GatewayStore) async throws {
        let check = "mail threading"
        func mail(_ id: String, from sender: String = "li@example.com", replyTo: [String] = [], token: String? = nil)
            throws -> InboundContact
        {
            InboundContact(
                channelID: ChannelID(rawValue: "mail"), channelKind: .email, externalID: id, occurredAt: Date(),
                sender: try Handle.email(sender),
                threadHints: ThreadHints(replyTo: replyTo, subjectToken: token, byInactivityWindow: false), text: "text",
                raw: RawPayload(contentType: "message/rfc822", bytes: Data(id.utf8)))
        }
        let first = try await ingest(store, [try mail("<a@x>")])[0]
        let unrelated = try await ingest(store, [try mail("<b@x>")])[0]
        try expect(unrelated.newConversation && unrelated.conversationID != first.conversationID, check,
            "a new mail that replies to nothing opens a new conversation, even right after another")
        let reply = try await ingest(store, [try mail("<c@x>", replyTo: ["<unknown@x>", "<a@x>"])])[0]
        try expect(reply.conversationID == first.conversationID && !reply.newConversation, check,
            "a reply threads into the conversation holding the message it replies to")
        let token = try await ingest(store, [try mail("<d@x>", token: String(unrelated.conversationNumber))])[0]
        try expect(token.conversationID == unrelated.conversationID, check, "the subject token names the conversation")
        let stranger = try await ingest(store, [try mail("<e@x>", from: "other@example.com", replyTo: ["<a@x>"])])[0]
        try expect(stranger.conversationID != first.conversationID, check,
            "another customer's reply does not join someone else's conversation")
        let foreignToken = try await ingest(store, [try mail("<f@x>", from: "other@example.com", token: String(first.conversationNumber))])[0]
        try expect(foreignToken.conversationID != first.conversationID, check, "nor does a token of someone else's conversation")
        _ = try await store.close(first.conversationID, at: Date())
        let late = try await ingest(store, [try mail("<g@x>", replyTo: ["<c@x>"])])[0]
        try expect(late.newConversation && late.conversationID != first.conversationID, check,
            "a reply to a closed conversation opens a new one")
    }

    func routingRules(_ store: any GatewayStore) async throws {
        let check = "routing rules"
        let rules = [
            RoutingRule(
                name: "vip", when: RuleConditions(vipLevel: LevelRange(min: 5), keywords: ["退款", "refund"]),
                then: RuleActions(group: GroupID("vip"), priority: 8, vipSource: .attribute, skill: "refunds")),
            RoutingRule(name: "default", then: RuleActions(group: GroupID("general"))),
        ]
        try await expectAwaiting(try await store.loadRoutingRules().isEmpty, check, "no rules at first")
        try await store.saveRoutingRules(rules)
        try await expectAwaiting(try await store.loadRoutingRules() == rules, check, "rules reload in order")
        try await store.saveRoutingRules(Array(rules.suffix(1)))
        try await expectAwaiting(try await store.loadRoutingRules() == Array(rules.suffix(1)), check, "saving replaces the list")
    }

    func knowledgeBase(_ store: any GatewayStore) async throws {
        let check = "knowledge base"
        let now = Date(timeIntervalSince1970: 1_790_000_000)
        let refund = KnowledgeArticle(
            id: "refund", title: "退款政策", body: "退款将在7个工作日内原路退回。Refunds take 7 business days.",
            keywords: ["退款", "refund"], category: "after-sales", updatedAt: now)
        let shipping = KnowledgeArticle(
            id: "shipping", title: "Shipping times", body: "Orders ship within two business days.", category: "orders",
            updatedAt: now)
        try await store.saveArticle(refund)
        try await store.saveArticle(shipping)
        try await expectAwaiting(try await store.article("refund") == refund, check, "article reads back as saved")
        try await expectAwaiting(try await store.searchArticles("我想退款", limit: 5).map(\.id) == ["refund"], check,
            "a Chinese question finds the article by its bigrams")
        try await expectAwaiting(try await store.searchArticles("when will my orders ship?", limit: 5).first?.id == "shipping", check,
            "an English question finds its article first")
        try await expectAwaiting(try await store.searchArticles("\"); DROP TABLE kb_articles; --", limit: 5).isEmpty, check,
            "query syntax in the text is only text")
        try await expectAwaiting(try await store.articles(category: "orders", limit: 10, after: nil).map(\.id) == ["shipping"], check,
            "category filter")
        try await expectAwaiting(try await store.articles(category: nil, limit: 1, after: "refund").map(\.id) == ["shipping"], check,
            "listing pages by id")
        var changed = shipping
        changed.title = "Delivery windows"
        changed.body = "Parcels arrive in three days."
        try await store.saveArticle(changed)
        try await expectAwaiting(try await store.searchArticles("orders ship", limit: 5).isEmpty, check,
            "replacing an article replaces its index entry")
        try await expectAwaiting(try await store.searchArticles("parcels", limit: 5).map(\.id) == ["shipping"], check, "new text indexed")
        try await expectAwaiting(try await store.deleteArticle("refund"), check, "delete reports the article existed")
        try await expectAwaiting(try await !store.deleteArticle("refund"), check, "deleting again reports nothing")
        try await expectAwaiting(try await store.searchArticles("退款", limit: 5).isEmpty, check, "deleted articles are not found")
    }
}
