import Foundation
import SwitchboardCore
import SwitchboardServer
import SwitchboardStore
import SwitchboardTesting
import SwitchboardWebChat
import Testing

@Suite("REST API")
struct APITests {
    func withGateway(_ body: (TestGateway) async throws -> Void) async throws {
        let gateway = try await TestGateway.start(channels: [WebChat.channel()], factories: [WebChatAdapterFactory()])
        do {
            try await body(gateway)
        } catch {
            await gateway.stop()
            throw error
        }
        await gateway.stop()
    }

    @Test("bearer tokens: 401 without, 403 for a scope that does not allow it")
    func authentication() async throws {
        try await withGateway { gateway in
            let integration = TokenGenerator.make(scope: .integration)
            try await gateway.store.createToken(
                StoredToken(id: "i", hash: Authenticator.hash(integration), scope: .integration, name: "crm", createdAt: Date()))
            #expect(try await gateway.client.get("/api/v1/conversations").status == 401)
            #expect(try await gateway.client.get("/api/v1/conversations", bearer: "wrong-token").status == 401)
            #expect(try await gateway.client.get("/api/v1/conversations", bearer: integration).status == 200)
            let reply = try await gateway.client.post("/api/v1/conversations/1/messages", json: ["text": "x"], bearer: integration)
            #expect(reply.status == 403)
            let merge = try await gateway.client.post("/api/v1/customers/a/merge", json: ["customerId": "b"], bearer: integration)
            #expect(merge.status == 403)
            #expect(try await gateway.client.get("/healthz").status == 200)
            #expect(try await gateway.client.get("/readyz").status == 200)
        }
    }

    @Test("conversations: list with filters and cursor, read with messages, close")
    func conversations() async throws {
        try await withGateway { gateway in
            let admin = TestGateway.adminToken
            for index in 0..<5 {
                let response = try await WebChat.post(
                    gateway, json: ["id": "m\(index)", "visitor": ["id": "v\(index % 3)", "name": "V\(index)"], "text": "hi \(index)"])
                #expect(response.status == 202)
            }
            let page = try await gateway.client.get("/api/v1/conversations?limit=2", bearer: admin)
            let items = try #require(page.json["items"] as? [[String: Any]])
            #expect(items.count == 2)
            let cursor = try #require(page.json["nextCursor"] as? String)
            let rest = try await gateway.client.get("/api/v1/conversations?limit=2&cursor=\(cursor)", bearer: admin)
            #expect((rest.json["items"] as? [[String: Any]])?.count == 1)
            let first = items[0]
            for key in ["id", "number", "status", "channelId", "channelKind", "customerId", "assignee", "group", "priority", "createdAt", "updatedAt"] {
                #expect(first.keys.contains(key), "conversation JSON lacks \(key)")
            }
            #expect(first["assignee"] is NSNull)
            let id = try #require(first["id"] as? String)
            let detail = try await gateway.client.get("/api/v1/conversations/\(id)", bearer: admin)
            let messages = try #require(detail.json["messages"] as? [[String: Any]])
            for key in ["id", "externalId", "direction", "text", "html", "attachments", "author", "createdAt"] {
                #expect(messages[0].keys.contains(key), "message JSON lacks \(key)")
            }
            let number = try #require(first["number"] as? Int)
            #expect(try await gateway.client.get("/api/v1/conversations/\(number)", bearer: admin).status == 200)
            #expect(try await gateway.client.get("/api/v1/conversations/nope", bearer: admin).status == 404)
            let filtered = try await gateway.client.get("/api/v1/conversations?status=closed", bearer: admin)
            #expect((filtered.json["items"] as? [Any])?.isEmpty == true)
            let bad = try await gateway.client.get("/api/v1/conversations?status=sleeping", bearer: admin)
            #expect(bad.status == 400 && bad.json["field"] as? String == "status")
            let reply = try await gateway.client.post("/api/v1/conversations/\(id)/messages", json: ["text": "noted"], bearer: admin)
            #expect(reply.status == 201)
            #expect(reply.json["deliveryState"] is NSNull, "a channel without callbackURL records replies without queueing them")
            #expect(try await gateway.store.outboxDepth().pendingDeliveries == 0)
            let closed = try await gateway.client.post("/api/v1/conversations/\(id)/close", json: [:], bearer: admin)
            #expect(closed.status == 200 && closed.json["status"] as? String == "closed")
            let late = try await gateway.client.post("/api/v1/conversations/\(id)/messages", json: ["text": "late"], bearer: admin)
            #expect(late.status == 409)
        }
    }

    @Test("customers: handles, attributes, conversations; merge joins two records")
    func customers() async throws {
        try await withGateway { gateway in
            let admin = TestGateway.adminToken
            let a = try await WebChat.post(
                gateway, json: ["id": "a1", "visitor": ["id": "anna", "email": "anna@example.com"], "text": "hi", "attributes": ["tier": "gold"]])
            let b = try await WebChat.post(gateway, json: ["id": "b1", "visitor": ["id": "anna-phone"], "text": "hi again"])
            let conversationA = try await gateway.client.get("/api/v1/conversations/\(a.json["conversationId"] as? String ?? "")", bearer: admin)
            let conversationB = try await gateway.client.get("/api/v1/conversations/\(b.json["conversationId"] as? String ?? "")", bearer: admin)
            let customerA = try #require(conversationA.json["customerId"] as? String)
            let customerB = try #require(conversationB.json["customerId"] as? String)
            #expect(customerA != customerB)
            let customer = try await gateway.client.get("/api/v1/customers/\(customerA)", bearer: admin)
            #expect(customer.status == 200)
            #expect((customer.json["attributes"] as? [String: String]) == ["tier": "gold", "email": "anna@example.com"])
            #expect((customer.json["handles"] as? [[String: String]]) == [["kind": "webchat", "value": "web/anna"]])
            #expect(customer.json["vipLevel"] as? Int == 0)
            let merged = try await gateway.client.post("/api/v1/customers/\(customerA)/merge", json: ["customerId": customerB], bearer: admin)
            #expect(merged.status == 200)
            #expect((merged.json["handles"] as? [[String: String]])?.count == 2)
            #expect((merged.json["conversations"] as? [[String: Any]])?.count == 2)
            let again = try await gateway.client.post("/api/v1/customers/\(customerA)/merge", json: ["customerId": customerB], bearer: admin)
            #expect(again.status == 409)
            let missing = try await gateway.client.post("/api/v1/customers/\(customerA)/merge", json: [:], bearer: admin)
            #expect(missing.status == 400 && missing.json["field"] as? String == "customerId")
            #expect(try await gateway.client.get("/api/v1/customers/nobody", bearer: admin).status == 404)
        }
    }

    @Test("attachments are served for download only, never rendered")
    func attachments() async throws {
        try await withGateway { gateway in
            let html = Data("<svg onload=alert(1)>".utf8)
            let posted = try await WebChat.post(
                gateway,
                json: ["id": "f1", "visitor": ["id": "v"], "attachments": [["name": "x.svg", "contentType": "image/svg+xml", "data": html.base64EncodedString()]]])
            #expect(posted.status == 202)
            let detail = try await gateway.client.get("/api/v1/conversations/\(posted.json["conversationId"] as? String ?? "")", bearer: TestGateway.adminToken)
            let message = try #require((detail.json["messages"] as? [[String: Any]])?.first)
            let attachment = try #require((message["attachments"] as? [[String: Any]])?.first)
            let url = try #require(attachment["url"] as? String)
            let download = try await gateway.client.get(url, bearer: TestGateway.adminToken)
            #expect(download.body == html)
            let headers = Dictionary(download.headers.map { ($0.name.lowercased(), $0.value) }, uniquingKeysWith: { a, _ in a })
            #expect(headers["content-type"] == "application/octet-stream")
            #expect(headers["x-content-type-options"] == "nosniff")
            #expect(headers["content-disposition"]?.hasPrefix("attachment") == true)
        }
    }

    @Test("ratings attach to the visitor's own conversation only")
    func ratings() async throws {
        try await withGateway { gateway in
            let posted = try await WebChat.post(gateway, json: ["id": "r0", "visitor": ["id": "rita"], "text": "hi"])
            let conversation = try #require(posted.json["conversationId"] as? String)
            let rating = ["id": "rate-1", "visitor": ["id": "rita"], "conversationId": conversation, "score": 2] as [String: Any]
            #expect(try await WebChat.post(gateway, json: rating).status == 202)
            let again = try await WebChat.post(gateway, json: rating)
            #expect(again.status == 200 && again.json["duplicate"] as? Bool == true)
            let stranger = try await WebChat.post(
                gateway, json: ["id": "rate-2", "visitor": ["id": "eve"], "conversationId": conversation, "score": 1])
            #expect(stranger.status == 404)
            #expect(try await gateway.store.statistics().ratings == 1)
        }
    }

    @Test("metrics count ingested contacts by channel and outcome")
    func metrics() async throws {
        try await withGateway { gateway in
            _ = try await WebChat.post(gateway, json: ["id": "x1", "visitor": ["id": "v"], "text": "hi"])
            _ = try await WebChat.post(gateway, json: ["id": "x1", "visitor": ["id": "v"], "text": "hi"])
            _ = try await gateway.client.request("POST", "/channels/web/messages", body: Data("{}".utf8))
            let text = try await gateway.client.get("/metrics").text
            #expect(text.contains(#"switchboard_contacts_ingested{channel="web",outcome="accepted"} 1"#))
            #expect(text.contains(#"switchboard_contacts_ingested{channel="web",outcome="duplicate"} 1"#))
            #expect(text.contains(#"switchboard_webhook_rejected{channel="web",reason="missing_timestamp"} 1"#))
            #expect(text.contains("switchboard_ingest_duration_bucket"))
            // The commit loop's own timing and queue: two contacts, each committed in a transaction of its own.
            #expect(text.contains("switchboard_ingest_commit_duration_count 2"))
            #expect(text.contains("switchboard_ingest_pending 0"))
        }
    }
}

@Suite("REST API bad input")
struct APIBadInputTests {
    @Test("agent replies: every malformed body gets a 400 naming the problem, nothing is written")
    func replies() async throws {
        let gateway = try await TestGateway.start(channels: [WebChat.channel()], factories: [WebChatAdapterFactory()])
        let admin = TestGateway.adminToken
        let posted = try await WebChat.post(gateway, json: ["id": "b1", "visitor": ["id": "v"], "text": "hi"])
        let id = try #require(posted.json["conversationId"] as? String)
        let path = "/api/v1/conversations/\(id)/messages"
        let cases: [(String, Data, String?)] = [
            ("no text", Data(#"{"author":"a"}"#.utf8), "text"),
            ("empty text", Data(#"{"text":""}"#.utf8), "text"),
            ("text of the wrong type", Data(#"{"text":42}"#.utf8), "text"),
            ("bad base64", Data(#"{"attachments":[{"name":"a","data":"***"}]}"#.utf8), "attachments[0].data"),
            ("attachment without name", Data(#"{"attachments":[{"data":"AAAA"}]}"#.utf8), "name"),
            ("not JSON", Data("text=hello".utf8), nil),
            ("deep nesting", Data((String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)).utf8), nil),
            // The store would keep only "a" of this text (C strings end at NUL): refused instead.
            ("NUL in the text", Data(#"{"text":"a\u0000b"}"#.utf8), nil),
            ("NUL in an attachment name", Data(#"{"text":"x","attachments":[{"name":"\u0000","data":"AAAA"}]}"#.utf8), nil),
            ("link without a title", Data(#"{"links":[{"url":"https://e.example"}]}"#.utf8), nil),
            ("link with a blank title", Data(#"{"links":[{"url":"https://e.example","title":"  "}]}"#.utf8), "links[0].title"),
            ("link to a script", Data(#"{"links":[{"url":"javascript:alert(1)","title":"t"}]}"#.utf8), "links[0].url"),
            ("relative link", Data(#"{"links":[{"url":"/returns","title":"t"}]}"#.utf8), "links[0].url"),
            ("link with a space", Data(#"{"links":[{"url":"https://e.example/a b","title":"t"}]}"#.utf8), "links[0].url"),
            ("picture that is not http", Data(#"{"links":[{"url":"https://e.example","title":"t","imageUrl":"file:///etc/passwd"}]}"#.utf8), "links[0].imageUrl"),
            ("NUL in a description", Data(#"{"links":[{"url":"https://e.example","title":"t","description":"a\u0000"}]}"#.utf8), nil),
            ("over-long description", Data(#"{"links":[{"url":"https://e.example","title":"t","description":"\#(String(repeating: "x", count: 1025))"}]}"#.utf8), "links[0].description"),
            ("nine links", Data(("{\"links\":[" + Array(repeating: #"{"url":"https://e.example","title":"t"}"#, count: 9).joined(separator: ",") + "]}").utf8), "links"),
        ]
        let before = try await gateway.store.statistics()
        for (name, body, field) in cases {
            let response = try await gateway.client.request("POST", path, body: body, bearer: admin)
            #expect(response.status == 400, "\(name): got \(response.status) \(response.text)")
            if let field { #expect((response.json["field"] as? String)?.hasSuffix(field) == true, "\(name): \(response.text)") }
        }
        #expect(try await gateway.store.statistics() == before)
        let refusal = try await gateway.client.request("POST", path, body: Data(#"{"text":"a\u0000b"}"#.utf8), bearer: admin)
        #expect(refusal.text.contains("NUL"), "\(refusal.text)")
        // A backslash followed by "u0000" is ordinary text, kept verbatim.
        let literal = try await gateway.client.request("POST", path, body: Data(#"{"text":"a\\u0000b"}"#.utf8), bearer: admin)
        #expect((200..<300).contains(literal.status), "\(literal.text)")
        let thread = try await gateway.client.get("/api/v1/conversations/\(id)", bearer: admin)
        let texts = (thread.json["messages"] as? [[String: Any]])?.compactMap { $0["text"] as? String } ?? []
        #expect(texts.contains(#"a\u0000b"#), "\(texts)")
        let oversize = try await gateway.client.request("POST", path, body: Data(repeating: 0x20, count: 17 << 20), bearer: admin)
        #expect(oversize.status == 413)
        let unknown = try await gateway.client.post("/api/v1/conversations/nope/messages", json: ["text": "x"], bearer: admin)
        #expect(unknown.status == 404)
        let merge = try await gateway.client.post("/api/v1/customers/nobody/merge", json: ["customerId": "nobody-else"], bearer: admin)
        #expect(merge.status == 404)
        #expect(try await gateway.client.get("/api/v1/conversations?limit=0", bearer: admin).status == 400)
        #expect(try await gateway.client.get("/api/v1/conversations?cursor=abc", bearer: admin).status == 400)
        #expect(try await gateway.client.get("/api/v1/conversations?channel=Bad%20Id", bearer: admin).status == 400)
        await gateway.stop()
    }
}
