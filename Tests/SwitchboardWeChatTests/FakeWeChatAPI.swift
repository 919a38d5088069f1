import Foundation
import Hummingbird
import SwitchboardTesting
import Synchronization

/// A loopback stand-in for WeChat's API (which tests cannot reach), shaped by its public docs:
/// `GET /cgi-bin/token`, `POST /cgi-bin/media/upload`, `POST /cgi-bin/message/custom/send`.
///
/// It issues numbered access tokens and honours only the latest (as WeChat does), answers
/// `40001` for any other, can rotate the token behind the caller's back (`42001`), and takes a
/// script of error codes for the next sends. A `news` message must carry exactly one article
/// with a `url` (WeChat answers 45008 for more than one).
final class FakeWeChatAPI: Sendable {
    struct Sent: Sendable {
        var token: String
        var body: [String: any Sendable]
        var json: Data
    }

    struct Upload: Sendable {
        var type: String
        var contentType: String
        var body: Data
    }

    private struct State {
        var tokenNumber = 0
        var validToken: String?
        var tokenFetches = 0
        var sent: [Sent] = []
        var uploads: [Upload] = []
        var scriptedErrors: [(Int, String)] = []
        var scriptedSkip = 0
        var expiresIn = 7200
    }

    static let appID = "wx5c2e8f1a9b3d7e60"
    static let appSecret = "fake-app-secret-0123456789abcdef"
    private let state = Mutex(State())
    private let server = Mutex<LoopbackServer?>(nil)
    var port: Int { server.withLock { $0?.port ?? 0 } }
    /// How long a token fetch takes (to make concurrent callers overlap).
    let tokenDelay: Duration

    init(tokenDelay: Duration = .milliseconds(0)) {
        self.tokenDelay = tokenDelay
    }

    var baseURL: String { "http://127.0.0.1:\(port)" }
    var tokenFetches: Int { state.withLock { $0.tokenFetches } }
    var sent: [Sent] { state.withLock { $0.sent } }
    var uploads: [Upload] { state.withLock { $0.uploads } }

    /// After `after` more successful sends, the next sends answer these codes, in order (then
    /// success again).
    func script(_ errors: [(Int, String)], after: Int = 0) {
        state.withLock {
            $0.scriptedErrors = errors
            $0.scriptedSkip = after
        }
    }
    /// Invalidates the current token as WeChat does when it expires.
    func expireToken() { state.withLock { $0.validToken = nil } }
    func setExpiresIn(_ seconds: Int) { state.withLock { $0.expiresIn = seconds } }

    func start() async throws {
        let router = Router()
        router.get("cgi-bin/token") { request, _ -> Response in
            try await Task.sleep(for: self.tokenDelay)
            let query = request.uri.queryParameters
            guard query.get("grant_type") == "client_credential", query.get("appid") == Self.appID else {
                return Self.json(["errcode": 40013, "errmsg": "invalid appid"])
            }
            guard query.get("secret") == Self.appSecret else { return Self.json(["errcode": 40125, "errmsg": "invalid appsecret"]) }
            let (token, expires) = self.state.withLock { state -> (String, Int) in
                state.tokenFetches += 1
                state.tokenNumber += 1
                let token = "TOKEN-\(state.tokenNumber)"
                state.validToken = token
                return (token, state.expiresIn)
            }
            return Self.json(["access_token": token, "expires_in": expires])
        }
        router.post("cgi-bin/message/custom/send") { request, _ -> Response in
            let token = request.uri.queryParameters.get("access_token") ?? ""
            let body = try await request.body.collect(upTo: 1 << 20)
            let data = Data(body.readableBytesView)
            let answer = self.state.withLock { state -> (Int, String) in
                if token != state.validToken { return state.validToken == nil ? (42001, "access_token expired") : (40001, "invalid credential") }
                if !state.scriptedErrors.isEmpty {
                    if state.scriptedSkip > 0 {
                        state.scriptedSkip -= 1
                    } else {
                        return state.scriptedErrors.removeFirst()
                    }
                }
                let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:]
                if object["msgtype"] as? String == "news" {
                    let articles = (object["news"] as? [String: Any])?["articles"] as? [[String: Any]] ?? []
                    guard articles.count == 1 else { return (45008, "article size out of limit") }
                    guard articles[0]["url"] is String else { return (40039, "invalid url") }
                }
                state.sent.append(Sent(token: token, body: object.mapValues { "\($0)" }, json: data))
                return (0, "ok")
            }
            return Self.json(["errcode": answer.0, "errmsg": answer.1])
        }
        router.post("cgi-bin/media/upload") { request, _ -> Response in
            let query = request.uri.queryParameters
            let token = query.get("access_token") ?? ""
            let body = try await request.body.collect(upTo: 16 << 20)
            let contentType = request.headers[.contentType] ?? ""
            let answer = self.state.withLock { state -> [String: any Sendable] in
                if token != state.validToken { return ["errcode": 40001, "errmsg": "invalid credential"] }
                state.uploads.append(Upload(type: query.get("type") ?? "", contentType: contentType, body: Data(body.readableBytesView)))
                return ["type": query.get("type") ?? "", "media_id": "MEDIA-\(state.uploads.count)", "created_at": 1_772_416_000]
            }
            return Self.json(answer)
        }
        let started = try await LoopbackServer.start(router: router, label: "fake-wechat-api")
        server.withLock { $0 = started }
    }

    func stop() async {
        await server.withLock { $0 }?.stop()
    }

    private static func json(_ object: [String: any Sendable]) -> Response {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
        return Response(
            status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
