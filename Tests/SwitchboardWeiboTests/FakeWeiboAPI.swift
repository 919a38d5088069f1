import Foundation
import Hummingbird
import SwitchboardTesting
import Synchronization

/// A loopback stand-in for Weibo's reply API (`POST /2/messages/reply.json`, form-encoded), shaped
/// by its public docs: it checks the access token and the `data` of each type (`text`, or
/// `articles` with 1–8 cards each naming `display_name` and `url`), records each reply's form
/// fields (refusing a body with raw non-ASCII bytes), and takes a script of `error_code`s (answered with HTTP 400 and Weibo's error JSON;
/// 0 lets that call through) for the next calls.
final class FakeWeiboAPI: Sendable {
    static let accessToken = "2.00fake_weibo_access_token"

    struct Reply: Sendable {
        var form: [String: String]
        var data: [String: String]
        /// The `articles` of an articles reply, each card's fields.
        var articles: [[String: String]]
    }

    private let state = Mutex<(replies: [Reply], script: [(Int, String)])>(([], []))
    private let server = Mutex<LoopbackServer?>(nil)

    var port: Int { server.withLock { $0?.port ?? 0 } }
    var baseURL: String { "http://127.0.0.1:\(port)" }
    var replies: [Reply] { state.withLock { $0.replies } }
    func script(_ errors: [(Int, String)]) { state.withLock { $0.script = errors } }

    func start() async throws {
        let router = Router()
        router.post("2/messages/reply.json") { request, _ -> Response in
            let body = try await request.body.collect(upTo: 1 << 20)
            // A form body is ASCII: every other byte must arrive percent-encoded.
            guard body.readableBytesView.allSatisfy({ $0 < 0x80 }) else {
                return Self.json(.badRequest, ["error": "body is not URL-encoded", "error_code": 10008, "request": "/2/messages/reply.json"])
            }
            var form: [String: String] = [:]
            for pair in String(decoding: body.readableBytesView, as: UTF8.self).split(separator: "&") {
                let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
                guard parts.count == 2 else { continue }
                form[parts[0]] = parts[1].replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? parts[1]
            }
            let json = form["data"].flatMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) } as? [String: Any] ?? [:]
            let articles = (json["articles"] as? [[String: Any]] ?? []).map { $0.compactMapValues { $0 as? String } }
            let answer = self.state.withLock { state -> (Int, String) in
                if form["access_token"] != Self.accessToken { return (21332, "invalid_access_token") }
                if !state.script.isEmpty, state.script[0].0 != 0 { return state.script.removeFirst() }
                if !state.script.isEmpty { state.script.removeFirst() }
                switch form["type"] {
                case "text":
                    guard json["text"] is String else { return (10008, "param error: data.text") }
                case "articles":
                    guard (1...8).contains(articles.count), articles.allSatisfy({ $0["display_name"] != nil && $0["url"] != nil })
                    else { return (10008, "param error: data.articles") }
                default:
                    return (10008, "param error: type")
                }
                state.replies.append(Reply(form: form, data: json.mapValues { "\($0)" }, articles: articles))
                return (0, "")
            }
            if answer.0 == 0 {
                return Self.json(.ok, ["id": 3_696_254_286_421_321, "type": form["type"] ?? "", "receiver_id": form["receiver_id"] ?? ""])
            }
            return Self.json(.badRequest, ["error": answer.1, "error_code": answer.0, "request": "/2/messages/reply.json"])
        }
        let started = try await LoopbackServer.start(router: router, label: "fake-weibo-api")
        server.withLock { $0 = started }
    }

    func stop() async {
        await server.withLock { $0 }?.stop()
    }

    private static func json(_ status: HTTPResponse.Status, _ object: [String: any Sendable]) -> Response {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
        return Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
