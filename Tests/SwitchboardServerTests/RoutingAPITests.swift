import Foundation
import SwitchboardCore
import SwitchboardRouting
import SwitchboardServer
import SwitchboardStore
import SwitchboardTesting
import SwitchboardWebChat
import Testing

/// Routing end to end over HTTP: agents, groups and rules through the API, web chat contacts
/// routed by the outbox consumer, queues, presence, close, transfer and restart.
@Suite("Routing API")
struct RoutingAPITests {
    static let admin = TestGateway.adminToken

    static func start(
        dataDirectory: URL? = nil, callback: String? = nil, configure: (inout GatewayConfiguration) -> Void = { _ in }
    ) async throws -> TestGateway {
        try await TestGateway.start(
            channels: [WebChat.channel(callback: callback)], factories: [WebChatAdapterFactory()], dataDirectory: dataDirectory,
            configure: { configuration in
                configuration.routing.pollIntervalMilliseconds = 20
                configure(&configuration)
            })
    }

    static func send(_ gateway: TestGateway, _ method: String, _ path: String, _ json: Any? = nil, bearer: String = admin)
        async throws -> TestHTTPClient.Response
    {
        try await gateway.client.request(
            method, path, body: try json.map { try JSONSerialization.data(withJSONObject: $0) }, bearer: bearer)
    }

    /// Posts a web chat message and returns its conversation id.
    static func contact(_ gateway: TestGateway, visitor: String, text: String = "hello", vipLevel: Int? = nil)
        async throws -> String
    {
        var json: [String: Any] = ["id": UUID().uuidString, "visitor": ["id": visitor], "text": text]
        if let vipLevel { json["vipLevel"] = vipLevel }
        let response = try await WebChat.post(gateway, json: json)
        #expect(response.status == 202, "\(response.text)")
        return response.json["conversationId"] as? String ?? ""
    }

    /// Polls a conversation until `condition` holds for it (routing runs asynchronously).
    static func waitFor(
        _ gateway: TestGateway, _ conversation: String, _ what: String, _ condition: ([String: Any]) -> Bool
    ) async throws -> [String: Any] {
        var last: [String: Any] = [:]
        for _ in 0..<250 {
            last = try await send(gateway, "GET", "/api/v1/conversations/\(conversation)").json
            if condition(last) { return last }
            try await Task.sleep(for: .milliseconds(20))
        }
        Issue.record("conversation \(conversation) never became \(what): \(last)")
        return last
    }

    static func setUpTeam(_ gateway: TestGateway) async throws {
        #expect(try await send(gateway, "POST", "/api/v1/groups", ["id": "general", "name": "General"]).status == 201)
        #expect(
            try await send(gateway, "POST", "/api/v1/groups", ["id": "vip", "name": "VIP desk", "strategy": "least-load"]).status
                == 201)
        let alice = try await send(
            gateway, "POST", "/api/v1/agents",
            ["id": "alice", "name": "Alice", "capacity": 1, "skills": ["refunds": 5], "groups": ["general"]])
        #expect(alice.status == 201, "\(alice.text)")
        #expect(alice.json["groups"] as? [String] == ["general"])
        #expect(alice.json["presence"] as? String == "offline")
        #expect(
            try await send(gateway, "POST", "/api/v1/agents", ["id": "bob", "name": "Bob", "capacity": 1, "groups": ["vip"]]).status
                == 201)
        let rules = try await send(
            gateway, "PUT", "/api/v1/routing/rules",
            [
                "rules": [
                    ["name": "vip", "when": ["vipLevel": ["min": 5]], "then": ["group": "vip"]],
                    ["name": "default", "then": ["group": "general"]],
                ]
            ])
        #expect(rules.status == 200, "\(rules.text)")
    }

    @Test("contacts are routed by the rules; queues, presence, close and transfer drive assignment")
    func endToEnd() async throws {
        try await Self.start().use { gateway in
            try await Self.setUpTeam(gateway)
            #expect(try await Self.send(gateway, "PUT", "/api/v1/agents/alice/presence", ["status": "online"]).status == 200)

            // 1. Alice is online with room: the first visitor goes to her by the default rule.
            let first = try await Self.contact(gateway, visitor: "v1")
            let assigned = try await Self.waitFor(gateway, first, "assigned") { $0["status"] as? String == "assigned" }
            #expect(assigned["assignee"] as? String == "alice")
            #expect(assigned["group"] as? String == "general")
            #expect(assigned["queueLevel"] is NSNull)
            let routing = try await Self.send(gateway, "GET", "/api/v1/conversations/\(first)/routing").json
            let decision = (routing["decisions"] as? [[String: Any]])?.first
            #expect(decision?["rule"] as? String == "default")
            #expect(decision?["step"] as? String == "round-robin")
            #expect(decision?["agent"] as? String == "alice")

            // 2. Alice is full: the next visitor waits at level 0 with nobody ahead.
            let second = try await Self.contact(gateway, visitor: "v2")
            let queued = try await Self.waitFor(gateway, second, "queued") { $0["group"] as? String == "general" }
            #expect(queued["status"] as? String == "queued")
            #expect(queued["queueLevel"] as? Int == 0)
            let queue = try await Self.send(gateway, "GET", "/api/v1/conversations/\(second)/queue")
            #expect(queue.json["level"] as? Int == 0 && queue.json["ahead"] as? Int == 0, "\(queue.text)")
            #expect(try await Self.send(gateway, "GET", "/api/v1/conversations/\(first)/queue").status == 404)

            // 3. A VIP visitor goes to the VIP desk, waits at level 7 until Bob comes online.
            let vip = try await Self.contact(gateway, visitor: "v3", vipLevel: 7)
            let waiting = try await Self.waitFor(gateway, vip, "queued in vip") { $0["group"] as? String == "vip" }
            #expect(waiting["queueLevel"] as? Int == 7)
            #expect(try await Self.send(gateway, "PUT", "/api/v1/agents/bob/presence", ["status": "online"]).status == 200)
            let vipAssigned = try await Self.waitFor(gateway, vip, "assigned to bob") { $0["assignee"] as? String == "bob" }
            #expect(vipAssigned["status"] as? String == "assigned")

            // 4. Closing Alice's conversation frees her: the waiting visitor is hers at once.
            #expect(try await Self.send(gateway, "POST", "/api/v1/conversations/\(first)/close").status == 200)
            let drained = try await Self.waitFor(gateway, second, "assigned to alice") { $0["assignee"] as? String == "alice" }
            #expect(drained["status"] as? String == "assigned")
            let agents = try await Self.send(gateway, "GET", "/api/v1/agents").json["items"] as? [[String: Any]] ?? []
            #expect(agents.first { $0["id"] as? String == "alice" }?["load"] as? Int == 1)

            // 5. Transfer to Bob is refused at capacity, allowed when an admin forces it.
            let refused = try await Self.send(gateway, "POST", "/api/v1/conversations/\(second)/transfer", ["agent": "bob"])
            #expect(refused.status == 409, "\(refused.text)")
            let forced = try await Self.send(
                gateway, "POST", "/api/v1/conversations/\(second)/transfer", ["agent": "bob", "note": "VIP follow-up", "force": true])
            #expect(forced.status == 200, "\(forced.text)")
            let moved = try await Self.send(gateway, "GET", "/api/v1/conversations/\(second)").json
            #expect(moved["assignee"] as? String == "bob")
            let history = try await Self.send(gateway, "GET", "/api/v1/conversations/\(second)/routing").json["decisions"]
                as? [[String: Any]] ?? []
            #expect(history.map { $0["step"] as? String ?? "" } == ["queue", "round-robin", "transfer"])
            #expect((history.last?["detail"] as? String)?.contains("VIP follow-up") == true)
        }
    }

    @Test("queues, assignments and presence survive a restart")
    func restart() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sb-routing-\(UUID().uuidString)")
        let waiting = try await Self.start(dataDirectory: directory).use(removeData: false) { gateway in
            try await Self.setUpTeam(gateway)
            var ids: [String] = []
            for visitor in ["r1", "r2", "r3"] {
                let id = try await Self.contact(gateway, visitor: visitor)
                _ = try await Self.waitFor(gateway, id, "queued") { $0["group"] as? String == "general" }
                ids.append(id)
            }
            return ids
        }
        try await Self.start(dataDirectory: directory).use { gateway in
            let third = try await Self.send(gateway, "GET", "/api/v1/conversations/\(waiting[2])/queue").json
            #expect(third["ahead"] as? Int == 2, "queue order survives: \(third)")
            #expect(try await Self.send(gateway, "PUT", "/api/v1/agents/alice/presence", ["status": "online"]).status == 200)
            let first = try await Self.waitFor(gateway, waiting[0], "assigned") { $0["assignee"] as? String == "alice" }
            #expect(first["status"] as? String == "assigned")
            let second = try await Self.send(gateway, "GET", "/api/v1/conversations/\(waiting[1])/queue").json
            #expect(second["ahead"] as? Int == 0)
        }
    }

    @Test("bad definitions get 400 with the field; conflicts 409; unknown ids 404; scopes enforced")
    func badInput() async throws {
        try await Self.start().use { gateway in
            try await Self.setUpTeam(gateway)
            let capacity = try await Self.send(gateway, "POST", "/api/v1/agents", ["id": "carol", "name": "C", "capacity": -1])
            #expect(capacity.status == 400 && capacity.json["field"] as? String == "capacity", "\(capacity.text)")
            let missing = try await Self.send(gateway, "POST", "/api/v1/agents", ["id": "carol", "name": "C"])
            #expect(missing.status == 400 && missing.json["field"] as? String == "capacity", "\(missing.text)")
            let badID = try await Self.send(gateway, "POST", "/api/v1/agents", ["id": "no spaces", "name": "C", "capacity": 1])
            #expect(badID.status == 400 && badID.json["field"] as? String == "id", "\(badID.text)")
            let duplicate = try await Self.send(gateway, "POST", "/api/v1/agents", ["id": "alice", "name": "A", "capacity": 1])
            #expect(duplicate.status == 409)
            let ghost = try await Self.send(gateway, "POST", "/api/v1/groups", ["id": "x", "name": "X", "members": ["ghost"]])
            #expect(ghost.status == 400 && ghost.json["field"] as? String == "members[0]", "\(ghost.text)")
            let strategy = try await Self.send(gateway, "PATCH", "/api/v1/groups/general", ["strategy": "random"])
            #expect(strategy.status == 400 && strategy.json["field"] as? String == "strategy", "\(strategy.text)")
            let patched = try await Self.send(gateway, "PATCH", "/api/v1/groups/general", ["strategy": "least-load", "id": "renamed"])
            #expect(patched.status == 200 && patched.json["strategy"] as? String == "least-load" && patched.json["id"] as? String == "general")
            let noDefault = try await Self.send(
                gateway, "PUT", "/api/v1/routing/rules", ["rules": [["name": "a", "when": ["channels": ["web"]], "then": ["group": "vip"]]]])
            #expect(noDefault.status == 400 && noDefault.json["field"] as? String == "rules[0]", "\(noDefault.text)")
            #expect(try await Self.send(gateway, "GET", "/api/v1/agents/nobody").status == 404)
            #expect(try await Self.send(gateway, "PUT", "/api/v1/agents/nobody/presence", ["status": "online"]).status == 404)
            let presence = try await Self.send(gateway, "PUT", "/api/v1/agents/alice/presence", ["status": "busy"])
            #expect(presence.status == 400 && presence.json["field"] as? String == "status", "\(presence.text)")

            // An agent token named after an agent sets only that agent's presence.
            let token = TokenGenerator.make(scope: .agent)
            try await gateway.store.createToken(
                StoredToken(id: "t-alice", hash: Authenticator.hash(token), scope: .agent, name: "alice", createdAt: Date()))
            #expect(try await Self.send(gateway, "PUT", "/api/v1/agents/alice/presence", ["status": "away"], bearer: token).status == 200)
            #expect(try await Self.send(gateway, "PUT", "/api/v1/agents/bob/presence", ["status": "away"], bearer: token).status == 403)
            #expect(try await Self.send(gateway, "POST", "/api/v1/agents", ["id": "z", "name": "Z", "capacity": 1], bearer: token).status == 403)

            // A group a conversation waits in cannot be deleted.
            let waiting = try await Self.contact(gateway, visitor: "w1")
            _ = try await Self.waitFor(gateway, waiting, "queued") { $0["group"] as? String == "general" }
            #expect(try await Self.send(gateway, "DELETE", "/api/v1/groups/general").status == 409)
            let transfer = try await Self.send(gateway, "POST", "/api/v1/conversations/\(waiting)/transfer", ["agent": "bob", "force": true], bearer: token)
            #expect(transfer.status == 403)
        }
    }

    @Test("a VIP level and exclusive agent set through the customer API steer the customer's next conversation")
    func vipExclusive() async throws {
        try await Self.start().use { gateway in
            try await Self.setUpTeam(gateway)
            for agent in ["alice", "bob"] {
                #expect(try await Self.send(gateway, "PUT", "/api/v1/agents/\(agent)/presence", ["status": "online"]).status == 200)
            }
            let first = try await Self.contact(gateway, visitor: "vip-1")
            let assigned = try await Self.waitFor(gateway, first, "assigned") { $0["assignee"] is String }
            #expect(assigned["assignee"] as? String == "alice")
            let customer = assigned["customerId"] as? String ?? ""
            let bad = try await Self.send(gateway, "PATCH", "/api/v1/customers/\(customer)", ["vipLevel": 11])
            #expect(bad.status == 400 && bad.json["field"] as? String == "vipLevel", "\(bad.text)")
            let badAgent = try await Self.send(gateway, "PATCH", "/api/v1/customers/\(customer)", ["attributes": ["exclusiveAgent": "no spaces"]])
            #expect(badAgent.status == 400 && badAgent.json["field"] as? String == "attributes.exclusiveAgent", "\(badAgent.text)")
            let patched = try await Self.send(
                gateway, "PATCH", "/api/v1/customers/\(customer)", ["vipLevel": 6, "attributes": ["exclusiveAgent": "bob"]])
            #expect(patched.status == 200 && patched.json["vipLevel"] as? Int == 6, "\(patched.text)")
            #expect(try await Self.send(gateway, "POST", "/api/v1/conversations/\(first)/close").status == 200)
            let next = try await Self.contact(gateway, visitor: "vip-1")
            #expect(next != first)
            let vip = try await Self.waitFor(gateway, next, "assigned to bob") { $0["assignee"] is String }
            #expect(vip["assignee"] as? String == "bob" && vip["group"] as? String == "vip", "\(vip)")
            let decision = (try await Self.send(gateway, "GET", "/api/v1/conversations/\(next)/routing").json["decisions"]
                as? [[String: Any]])?.first
            #expect(decision?["step"] as? String == "vip-exclusive-agent" && decision?["rule"] as? String == "vip", "\(String(describing: decision))")
        }
    }

    @Test("conversations that arrive before any rule or group are routed once they exist")
    func lateRules() async throws {
        try await Self.start().use { gateway in
            let early = try await Self.contact(gateway, visitor: "early")
            try await Task.sleep(for: .milliseconds(200))
            let before = try await Self.send(gateway, "GET", "/api/v1/conversations/\(early)").json
            #expect(before["group"] is NSNull && before["status"] as? String == "queued", "unrouted without rules: \(before)")
            let rules = try await Self.send(
                gateway, "PUT", "/api/v1/routing/rules", ["rules": [["name": "default", "then": ["group": "later"]]]])
            #expect(rules.status == 200)
            try await Task.sleep(for: .milliseconds(200))
            let missingGroup = try await Self.send(gateway, "GET", "/api/v1/conversations/\(early)").json
            #expect(missingGroup["group"] is NSNull, "the rule's group does not exist yet: \(missingGroup)")
            #expect(try await Self.send(gateway, "POST", "/api/v1/groups", ["id": "later", "name": "Later"]).status == 201)
            let routed = try await Self.waitFor(gateway, early, "routed") { $0["group"] as? String == "later" }
            #expect(routed["queueLevel"] as? Int == 0)
        }
    }

    @Test("knowledge-base API: bad articles get 400 with the field, duplicates 409, unknown ids 404, scopes enforced")
    func knowledgeBaseBadInput() async throws {
        try await Self.start().use { gateway in
            let missing = try await Self.send(gateway, "POST", "/api/v1/kb/articles", ["title": "No body"])
            #expect(missing.status == 400 && missing.json["field"] as? String == "body", "\(missing.text)")
            let empty = try await Self.send(gateway, "POST", "/api/v1/kb/articles", ["title": "T", "body": ""])
            #expect(empty.status == 400 && empty.json["field"] as? String == "body", "\(empty.text)")
            let keywords = try await Self.send(
                gateway, "POST", "/api/v1/kb/articles", ["title": "T", "body": "B", "keywords": Array(repeating: "k", count: 101)])
            #expect(keywords.status == 400 && keywords.json["field"] as? String == "keywords", "\(keywords.text)")
            let wrongType = try await Self.send(gateway, "POST", "/api/v1/kb/articles", ["title": 5, "body": "B"])
            #expect(wrongType.status == 400 && wrongType.json["field"] as? String == "title", "\(wrongType.text)")
            let created = try await Self.send(gateway, "POST", "/api/v1/kb/articles", ["id": "returns", "title": "Returns", "body": "30 days."])
            #expect(created.status == 201)
            #expect(try await Self.send(gateway, "POST", "/api/v1/kb/articles", ["id": "returns", "title": "X", "body": "Y"]).status == 409)
            #expect(try await Self.send(gateway, "GET", "/api/v1/kb/articles/nothing").status == 404)
            #expect(try await Self.send(gateway, "DELETE", "/api/v1/kb/articles/nothing").status == 404)
            #expect(try await Self.send(gateway, "GET", "/api/v1/kb/articles?limit=0").status == 400)
            let token = TokenGenerator.make(scope: .agent)
            try await gateway.store.createToken(
                StoredToken(id: "t-kb", hash: Authenticator.hash(token), scope: .agent, name: "kb-agent", createdAt: Date()))
            #expect(try await Self.send(gateway, "GET", "/api/v1/kb/articles/returns", bearer: token).status == 200)
            #expect(try await Self.send(gateway, "DELETE", "/api/v1/kb/articles/returns", bearer: token).status == 403)
            #expect(try await gateway.client.request("GET", "/api/v1/kb/articles").status == 401)
            let replaced = try await Self.send(gateway, "PUT", "/api/v1/kb/articles/returns", ["title": "Returns", "body": "60 days now."])
            #expect(replaced.status == 200 && replaced.json["body"] as? String == "60 days now.")
            #expect(try await Self.send(gateway, "DELETE", "/api/v1/kb/articles/returns").status == 204)
        }
    }

    @Test("rules from the configuration are read-only through the API")
    func configuredRules() async throws {
        try await Self.start { configuration in
            configuration.routing.rules = [RoutingRule(name: "default", then: RuleActions(group: GroupID("general")))]
        }.use { gateway in
            let rules = try await Self.send(gateway, "GET", "/api/v1/routing/rules").json
            #expect(rules["source"] as? String == "config")
            #expect((rules["rules"] as? [[String: Any]])?.count == 1)
            let put = try await Self.send(gateway, "PUT", "/api/v1/routing/rules", ["rules": [["name": "d", "then": ["group": "x"]]]])
            #expect(put.status == 409)
        }
    }

    static func messages(_ gateway: TestGateway, _ conversation: String) async throws -> [(author: String, text: String)] {
        let json = try await send(gateway, "GET", "/api/v1/conversations/\(conversation)").json
        return (json["messages"] as? [[String: Any]] ?? []).map { ($0["author"] as? String ?? "", $0["text"] as? String ?? "") }
    }

    @Test("reception: the bot answers from the knowledge base and hands over; human-first falls back; bot-only stays")
    func reception() async throws {
        // A channel that delivers replies: queue notices are sent only where they can reach the customer.
        let recorder = try await CallbackRecorder.start()
        try await Self.start(callback: "http://127.0.0.1:\(recorder.port)/hook").use { gateway in
            try await Self.setUpTeam(gateway)
            let article = try await Self.send(
                gateway, "POST", "/api/v1/kb/articles",
                ["title": "退款政策", "body": "退款将在7个工作日内原路退回。", "keywords": ["退款"], "category": "after-sales"])
            #expect(article.status == 201, "\(article.text)")
            let search = try await Self.send(gateway, "GET", "/api/v1/kb/articles?q=%E6%88%91%E8%A6%81%E9%80%80%E6%AC%BE")
            #expect((search.json["items"] as? [[String: Any]])?.first?["title"] as? String == "退款政策")
            let rules = try await Self.send(
                gateway, "PUT", "/api/v1/routing/rules",
                [
                    "rules": [
                        ["name": "bot", "when": ["keywords": ["退款", "转人工"]], "then": ["group": "general", "reception": "bot-first"]],
                        ["name": "robots-only", "when": ["keywords": ["robot"]], "then": ["group": "general", "reception": "bot-only"]],
                        ["name": "default", "then": ["group": "general", "reception": "human-first"]],
                    ]
                ])
            #expect(rules.status == 200, "\(rules.text)")

            // bot-first: the bot answers the first message from the knowledge base.
            let botFirst = try await Self.contact(gateway, visitor: "b1", text: "我要退款")
            _ = try await Self.waitFor(gateway, botFirst, "held by the bot") { $0["status"] as? String == "bot" }
            var said = try await Self.waitForMessages(gateway, botFirst, count: 2)
            #expect(said.last?.author == "bot" && said.last?.text.contains("7个工作日") == true, "\(said)")
            // Asking for a person hands it over; nobody is online, so it waits and is told its place.
            let ask = try await WebChat.post(
                gateway, json: ["id": UUID().uuidString, "visitor": ["id": "b1"], "text": "请帮我转人工"])
            #expect(ask.status == 202)
            let handedOver = try await Self.waitFor(gateway, botFirst, "queued") { $0["status"] as? String == "queued" }
            #expect(handedOver["group"] as? String == "general")
            said = try await Self.waitForMessages(gateway, botFirst, count: 5)
            #expect(said.map(\.author).suffix(2) == ["bot", "system"], "\(said)")
            #expect(said.last?.text.contains("number 1 in line") == true, "\(said)")
            let history = try await Self.send(gateway, "GET", "/api/v1/conversations/\(botFirst)/routing").json["decisions"]
                as? [[String: Any]] ?? []
            #expect(history.map { $0["outcome"] as? String ?? "" } == ["bot", "queued"])

            // human-first with nobody online: the bot stands in, finds nothing, hands over (queue).
            let humanFirst = try await Self.contact(gateway, visitor: "h1", text: "where is my parcel")
            let fallback = try await Self.waitFor(gateway, humanFirst, "queued after the bot") {
                $0["status"] as? String == "queued" && $0["group"] is String
            }
            #expect(fallback["group"] as? String == "general")
            let fallbackHistory = try await Self.send(gateway, "GET", "/api/v1/conversations/\(humanFirst)/routing").json["decisions"]
                as? [[String: Any]] ?? []
            #expect((fallbackHistory.first?["detail"] as? String)?.contains("nobody in general is online") == true, "\(fallbackHistory)")

            // bot-only never hands over.
            let botOnly = try await Self.contact(gateway, visitor: "o1", text: "robot, I want a human")
            _ = try await Self.waitFor(gateway, botOnly, "held by the bot") { $0["status"] as? String == "bot" }
            said = try await Self.waitForMessages(gateway, botOnly, count: 2)
            #expect(said.last?.text.contains("answered automatically") == true, "\(said)")

            // Alice comes online: the handed-over conversations drain to her (capacity 1: the first).
            #expect(try await Self.send(gateway, "PUT", "/api/v1/agents/alice/presence", ["status": "online"]).status == 200)
            _ = try await Self.waitFor(gateway, botFirst, "assigned") { $0["assignee"] as? String == "alice" }
            // An agent can take a conversation from the bot.
            let taken = try await Self.send(gateway, "POST", "/api/v1/conversations/\(botOnly)/transfer", ["group": "vip"])
            #expect(taken.status == 200, "\(taken.text)")
            let moved = try await Self.send(gateway, "GET", "/api/v1/conversations/\(botOnly)").json
            #expect(moved["group"] as? String == "vip" && moved["status"] as? String == "queued", "\(moved)")
            // The bot's answers and the queue notice reached the chat front-end, signed.
            let delivered = await recorder.waitFor(count: 5)
            let texts = delivered.compactMap { (try? JSONSerialization.jsonObject(with: $0.body)) as? [String: Any] }
                .compactMap { $0["text"] as? String }
            #expect(texts.contains { $0.contains("7个工作日") } && texts.contains { $0.contains("number 1 in line") }, "\(texts)")
        }
        await recorder.stop()
    }

    /// Polls until a conversation has at least `count` messages.
    static func waitForMessages(_ gateway: TestGateway, _ conversation: String, count: Int) async throws
        -> [(author: String, text: String)]
    {
        var last: [(author: String, text: String)] = []
        for _ in 0..<250 {
            last = try await messages(gateway, conversation)
            if last.count >= count { return last }
            try await Task.sleep(for: .milliseconds(20))
        }
        Issue.record("conversation \(conversation) has \(last.count) messages, expected \(count): \(last)")
        return last
    }
}
