import AsyncHTTPClient
import Foundation
import NIOCore
import SwitchboardCore

/// The fan-service reply API: `POST /2/messages/reply.json`, form-encoded, with `access_token`,
/// `type` (`text`, `articles`), `data` (the message as URL-encoded JSON, `{"text": …}` or
/// `{"articles": [{"display_name", "summary", "image", "url"}]}`) and
/// `receiver_id`, answered with the sent message or `{"error", "error_code", "request"}`.
///
/// Errors are classified from `error_code`: system errors and rate limits (10001, 10002, 10009,
/// 10022–10024), non-JSON answers, 5xx and network failures are retried; a rejected access
/// token (21301, 21314–21319, 21327, 21332) is retried too, because the token is configured by
/// an operator who must replace it (until then replies wait in the outbox); every other code
/// fails the reply with Weibo's code and message.
public final class WeiboAPIClient: Sendable {
    public static let transientErrors: Set<Int> = [10001, 10002, 10009, 10022, 10023, 10024]
    public static let tokenErrors: Set<Int> = [21301, 21314, 21315, 21316, 21317, 21318, 21319, 21327, 21332]

    public let baseURL: URL
    private let accessToken: String
    private let timeout: TimeAmount
    private let client: HTTPClient

    public init(baseURL: URL, accessToken: String, timeout: TimeInterval) {
        self.baseURL = baseURL
        self.accessToken = accessToken
        self.timeout = .seconds(Int64(timeout))
        var configuration = HTTPClient.Configuration()
        configuration.redirectConfiguration = .disallow
        configuration.timeout = .init(connect: .seconds(5), read: .seconds(Int64(timeout)))
        client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    public func shutdown() async {
        try? await client.shutdown()
    }

    /// Sends a text reply to `receiver`.
    public func replyText(to receiver: String, text: String) async throws(DeliveryError) {
        try await reply(type: "text", data: try Self.json(["text": text]), receiver: receiver)
    }

    /// Sends link cards to `receiver` as one `articles` reply (Weibo shows up to 8).
    public func replyArticles(to receiver: String, cards: [LinkCard]) async throws(DeliveryError) {
        let articles = cards.map { Article(displayName: $0.title ?? $0.url, summary: $0.description, image: $0.imageURL, url: $0.url) }
        try await reply(type: "articles", data: try Self.json(Articles(articles: articles)), receiver: receiver)
    }

    /// One card of an `articles` reply: `{"display_name", "summary", "image", "url"}`.
    struct Article: Encodable {
        var displayName: String
        var summary: String?
        var image: String?
        var url: String
        enum CodingKeys: String, CodingKey {
            case displayName = "display_name"
            case summary, image, url
        }
    }

    struct Articles: Encodable {
        var articles: [Article]
    }

    private static func json(_ value: some Encodable) throws(DeliveryError) -> String {
        do {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            return String(decoding: try encoder.encode(value), as: UTF8.self)
        } catch {
            throw .permanent("cannot encode the reply: \(error)")
        }
    }

    func reply(type: String, data: String, receiver: String) async throws(DeliveryError) {
        let form = [("access_token", accessToken), ("type", type), ("data", data), ("receiver_id", receiver), ("save_sender_box", "1")]
            .map { "\($0.0)=\(Self.formEncode($0.1))" }.joined(separator: "&")
        var base = baseURL.absoluteString
        if !base.hasSuffix("/") { base += "/" }
        var request = HTTPClientRequest(url: base + "2/messages/reply.json")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        request.body = .bytes(ByteBuffer(string: form))
        let response: HTTPClientResponse
        let body: ByteBuffer
        do {
            response = try await client.execute(request, timeout: timeout)
            body = try await response.body.collect(upTo: 1 << 20)
        } catch {
            throw .retryable("Weibo API unreachable: \(error)")
        }
        let answer = try? JSONDecoder().decode(Answer.self, from: Data(body.readableBytesView))
        if let code = answer?.errorCode {
            let description = "Weibo error_code \(code): \(answer?.error ?? "")"
            if Self.transientErrors.contains(code) { throw .retryable(description) }
            if Self.tokenErrors.contains(code) {
                throw .retryable(description + " (the configured accessToken was refused; replace it and queued replies go out)")
            }
            throw .permanent(description)
        }
        guard response.status.code == 200 else {
            throw .retryable("Weibo API answered HTTP \(response.status.code)")
        }
        guard answer != nil else {
            throw .retryable("Weibo API answered something that is not its JSON: \(String(decoding: body.readableBytesView.prefix(200), as: UTF8.self))")
        }
    }

    struct Answer: Decodable {
        var error: String?
        var errorCode: Int?
        enum CodingKeys: String, CodingKey {
            case error
            case errorCode = "error_code"
        }
    }

    /// `application/x-www-form-urlencoded` value encoding: every UTF-8 byte but the ASCII
    /// unreserved ones percent-escaped (space as `%20`). `CharacterSet.alphanumerics` would let
    /// non-ASCII letters through unescaped, so the set is spelled out.
    static func formEncode(_ value: String) -> String {
        value.addingPercentEncoding(withAllowedCharacters: unreserved) ?? value
    }

    private static let unreserved = CharacterSet(
        charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
}
