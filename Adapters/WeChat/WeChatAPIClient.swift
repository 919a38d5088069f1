import AsyncHTTPClient
import Foundation
import NIOCore
import SwitchboardCore

/// The calls the channel makes to WeChat's API: the access token, media upload and the
/// customer-service message send, each answered as a ``WeChatAPIResult``.
///
/// Request shapes follow the public API documentation:
/// - `GET /cgi-bin/token?grant_type=client_credential&appid=…&secret=…` → `{"access_token", "expires_in"}`
/// - `POST /cgi-bin/media/upload?access_token=…&type=image|voice` (multipart, field `media`) → `{"media_id"}`
/// - `POST /cgi-bin/message/custom/send?access_token=…` with `{"touser", "msgtype", "<msgtype>": {…}}`
///
/// A call with a rejected token fetches a new one (once, shared with concurrent callers) and is
/// tried again once; network failures and non-200 answers are retryable.
public final class WeChatAPIClient: Sendable {
    public let baseURL: URL
    private let appID: String
    private let appSecret: String
    private let timeout: TimeAmount
    private let client: HTTPClient
    public let tokens: WeChatAccessTokenCache

    public init(baseURL: URL, appID: String, appSecret: String, timeout: TimeInterval) {
        self.baseURL = baseURL
        self.appID = appID
        self.appSecret = appSecret
        self.timeout = .seconds(Int64(timeout))
        var configuration = HTTPClient.Configuration()
        configuration.redirectConfiguration = .disallow
        configuration.timeout = .init(connect: .seconds(5), read: .seconds(Int64(timeout)))
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        self.client = client
        let tokenURL = Self.url(baseURL, path: "cgi-bin/token", query: [
            ("grant_type", "client_credential"), ("appid", appID), ("secret", appSecret),
        ])
        let callTimeout = TimeAmount.seconds(Int64(timeout))
        self.tokens = WeChatAccessTokenCache { () async throws(DeliveryError) in
            let answer = try await Self.execute(client, HTTPClientRequest(url: tokenURL), timeout: callTimeout, what: "token")
            if let token = answer.accessToken, !token.isEmpty {
                return .init(token: token, lifetime: .seconds(max(60, answer.expiresIn ?? 7200)))
            }
            let code = answer.errcode ?? -2
            // Bad AppID/AppSecret or an IP not on the account's allow-list: an operator must act, and
            // replies should wait for that rather than fail, so it is retried.
            throw .retryable("access token refused: " + WeChatAPIResult.describe(errcode: code, errmsg: answer.errmsg ?? "no token"))
        }
    }

    public func shutdown() async {
        try? await client.shutdown()
    }

    /// Sends one customer-service message.
    public func send(_ message: WeChatCustomMessage) async throws(DeliveryError) {
        let data: Data
        do {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            data = try encoder.encode(message)
        } catch {
            throw .permanent("cannot encode the message: \(error)")
        }
        _ = try await withToken { token throws(DeliveryError) in
            var request = HTTPClientRequest(url: Self.url(baseURL, path: "cgi-bin/message/custom/send", query: [("access_token", token)]))
            request.method = .POST
            request.headers.add(name: "Content-Type", value: "application/json; charset=utf-8")
            request.body = .bytes(ByteBuffer(bytes: data))
            return try await Self.execute(client, request, timeout: timeout, what: "message/custom/send")
        }
    }

    /// Uploads a temporary media file (`type` `image` or `voice`) and returns its `media_id`.
    public func uploadMedia(type: String, name: String, contentType: String, data: Data) async throws(DeliveryError) -> String {
        let boundary = "switchboard-\(UUID().uuidString)"
        let safeName = String(name.unicodeScalars.filter { $0.value >= 0x20 && $0 != "\"" && $0 != "\\" && $0.value != 0x7F })
        var body = Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"media\"; filename=\"\(safeName)\"\r\n".utf8)
        body.append(Data("Content-Type: \(contentType)\r\n\r\n".utf8))
        body.append(data)
        body.append(Data("\r\n--\(boundary)--\r\n".utf8))
        let answer = try await withToken { token throws(DeliveryError) in
            var request = HTTPClientRequest(
                url: Self.url(baseURL, path: "cgi-bin/media/upload", query: [("access_token", token), ("type", type)]))
            request.method = .POST
            request.headers.add(name: "Content-Type", value: "multipart/form-data; boundary=\(boundary)")
            request.body = .bytes(ByteBuffer(bytes: body))
            return try await Self.execute(client, request, timeout: timeout, what: "media/upload")
        }
        guard let mediaID = answer.mediaID, !mediaID.isEmpty else { throw .retryable("media/upload answered without a media_id") }
        return mediaID
    }

    /// Runs `call` with the current token; on a token error, once more with a fresh one.
    private func withToken(_ call: (String) async throws(DeliveryError) -> Answer) async throws(DeliveryError) -> Answer {
        var attempt = 0
        while true {
            attempt += 1
            let token = try await tokens.token()
            let answer = try await call(token)
            let result = WeChatAPIResult(errcode: answer.errcode ?? 0, errmsg: answer.errmsg ?? "")
            if case .tokenRejected = result, attempt == 1 {
                await tokens.invalidate(token)
                continue
            }
            if let error = result.deliveryError { throw error }
            return answer
        }
    }

    /// The fields of any API answer we read.
    struct Answer: Decodable, Sendable {
        var errcode: Int?
        var errmsg: String?
        var accessToken: String?
        var expiresIn: Int64?
        var mediaID: String?

        enum CodingKeys: String, CodingKey {
            case errcode, errmsg
            case accessToken = "access_token"
            case expiresIn = "expires_in"
            case mediaID = "media_id"
        }
    }

    private static func execute(_ client: HTTPClient, _ request: HTTPClientRequest, timeout: TimeAmount, what: String)
        async throws(DeliveryError) -> Answer
    {
        let response: HTTPClientResponse
        let body: ByteBuffer
        do {
            response = try await client.execute(request, timeout: timeout)
            body = try await response.body.collect(upTo: 1 << 20)
        } catch {
            throw .retryable("WeChat API \(what) unreachable: \(error)")
        }
        guard response.status.code == 200 else {
            throw .retryable("WeChat API \(what) answered HTTP \(response.status.code)")
        }
        do {
            return try JSONDecoder().decode(Answer.self, from: Data(body.readableBytesView))
        } catch {
            throw .retryable("WeChat API \(what) answered something that is not its JSON: \(String(decoding: body.readableBytesView.prefix(200), as: UTF8.self))")
        }
    }

    /// `base` + `path` with percent-encoded `query`.
    static func url(_ base: URL, path: String, query: [(String, String)]) -> String {
        var text = base.absoluteString
        if !text.hasSuffix("/") { text += "/" }
        text += path
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        let encoded = query.map { name, value in
            "\(name)=\(value.addingPercentEncoding(withAllowedCharacters: allowed) ?? value)"
        }
        return text + "?" + encoded.joined(separator: "&")
    }
}
