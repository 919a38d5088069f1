import Foundation
import Logging
import Metrics
import SwitchboardCore
import SwitchboardTesting
import SwitchboardWebChat
import Testing

/// The adapter against an in-memory sink: what it hands the Ingestor, and how it answers.
@Suite("Web chat adapter")
struct WebChatAdapterTests {
    let sink = RecordingSink()
    let harness = WebChatHarness()

    func adapter(_ configuration: WebChatConfiguration = WebChatConfiguration(secret: WebChatHarness.secret)) -> WebChatAdapter {
        WebChatAdapter(
            id: ChannelID(rawValue: "web"), configuration: configuration,
            environment: ChannelEnvironment(sink: sink, logger: Logger(label: "test"), metricsFactory: NOOPMetricsHandler.instance))
    }

    func post(_ adapter: WebChatAdapter, path: String, json: String) async -> PushResponse {
        let request = harness.signed(path: path, body: Data(json.utf8), timestamp: Int(Date().timeIntervalSince1970))
        let route = adapter.routes.first { $0.path == path }
        return await route!.handler(
            PushRequest(method: "POST", path: path, headers: request.headers, body: request.body))
    }

    @Test("every documented field reaches the contact")
    func fullPayload() async throws {
        let image = Data([0x89, 0x50, 0x4E, 0x47])
        let response = await post(
            adapter(), path: "messages",
            json: """
                {"id":"c-1","visitor":{"id":"v-9","name":"Li Lei","email":"LI@Example.com","phone":"+86 138 0013 8000"},
                 "text":"我要退款","attachments":[{"name":"receipt.png","contentType":"image/png","data":"\(image.base64EncodedString())"}],
                 "page":"https://shop.example/p/1","referrer":"https://search.example/?q=refund","keyword":"refund",
                 "vipLevel":7,"attributes":{"orderId":"A-1"}}
                """)
        #expect(response.status == 202)
        let contact = try #require(sink.contacts.first)
        #expect(contact.externalID == "c-1")
        #expect(contact.sender == Handle(kind: "webchat", value: "web/v-9"))
        #expect(contact.senderName == "Li Lei")
        #expect(contact.text == "我要退款")
        #expect(contact.attachments == [InboundAttachment(name: "receipt.png", contentType: "image/png", data: image)])
        #expect(contact.routing == RoutingAttributes(sourcePage: "https://shop.example/p/1", referrer: "https://search.example/?q=refund", keyword: "refund", vipLevel: 7))
        #expect(contact.customerAttributes == ["orderId": "A-1", "email": "li@example.com", "phone": "+8613800138000"])
        #expect(contact.raw.contentType == "application/json")
    }

    @Test("a 400 names the field")
    func fieldErrors() async throws {
        let response = await post(adapter(), path: "messages", json: #"{"id":"x","visitor":{"id":"v"},"text":"t","vipLevel":"high"}"#)
        #expect(response.status == 400)
        let body = try JSONDecoder().decode(ErrorBody.self, from: response.body)
        #expect(body.field == "vipLevel")
    }

    @Test("a retryable store failure answers 503 with Retry-After, never 2xx")
    func storeFailure() async {
        sink.fail(with: .storeUnavailable("disk full"))
        let response = await post(adapter(), path: "messages", json: #"{"id":"x","visitor":{"id":"v"},"text":"t"}"#)
        #expect(response.status == 503)
        #expect(response.headers.contains { $0.name == "retry-after" })
    }

    @Test("ratings are passed on with the visitor's handle")
    func ratings() async throws {
        let response = await post(
            adapter(), path: "ratings", json: #"{"id":"r-1","visitor":{"id":"v-9"},"conversationId":"c","score":4,"comment":"ok"}"#)
        #expect(response.status == 202)
        let rating = try #require(sink.ratings.first)
        #expect(rating.sender == Handle(kind: "webchat", value: "web/v-9") && rating.score == 4 && rating.comment == "ok")
        let bad = await post(adapter(), path: "ratings", json: #"{"id":"r-2","visitor":{"id":"v-9"},"conversationId":"c","score":9}"#)
        #expect(bad.status == 400)
    }

    @Test("callback hosts resolving to private addresses are refused unless allowed")
    func privateCallback() async throws {
        let configuration = WebChatConfiguration(secret: WebChatHarness.secret, callbackURL: URL(string: "http://127.0.0.1:9/cb"))
        let delivery = OutboundDelivery(
            deliveryID: 1, attempt: 1,
            message: OutboundMessage(
                conversationID: ConversationID("c"), conversationNumber: 1, messageID: MessageID("m"),
                recipient: Handle(kind: "webchat", value: "web/v"), author: "a", text: "t", html: nil, attachments: [],
                createdAt: Date()),
            attachments: [])
        let refusing = adapter(configuration)
        await #expect {
            try await refusing.send(delivery)
        } throws: { error in
            (error as? DeliveryError)?.reason.contains("non-public") == true
        }
        await refusing.shutdown()
    }
}
