import Foundation
import SwitchboardWeChat
import SwitchboardWebChat

// Writes pre-signed push requests for the wrk-driven channel benchmarks (Benchmarks/wechat.sh):
// two lines per request, the path with its query and the body, so the load generator only replays
// bytes and the gateway pays every check a real push costs (signature, decryption, XML, commit).
//
//   switchboard-bench-requests wechat  COUNT FILE PREFIX TOKEN ENCODING_AES_KEY APP_ID CHANNEL
//   switchboard-bench-requests webchat COUNT FILE PREFIX SECRET CHANNEL
//
// Every request carries a unique id (PREFIX + number) and the current time, so each one is a new,
// durable contact within the channels' timestamp windows.

let arguments = CommandLine.arguments
func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data((message + "\n").utf8))
    exit(2)
}
guard arguments.count >= 5, let count = Int(arguments[2]), count > 0 else {
    fail("usage: switchboard-bench-requests wechat|webchat COUNT FILE PREFIX …")
}
let file = arguments[3]
let prefix = arguments[4]
guard FileManager.default.createFile(atPath: file, contents: nil), let output = FileHandle(forWritingAtPath: file) else {
    fail("cannot write \(file)")
}
var buffer = Data()
@MainActor func emit(path: String, body: String) {
    buffer.append(Data((path + "\n" + body + "\n").utf8))
    if buffer.count > 1 << 20 {
        output.write(buffer)
        buffer.removeAll(keepingCapacity: true)
    }
}
let now = Int(Date().timeIntervalSince1970)
switch arguments[1] {
case "wechat":
    guard arguments.count == 9, let cipher = WeChatCrypto(encodingAESKey: arguments[6], appID: arguments[7]) else {
        fail("usage: switchboard-bench-requests wechat COUNT FILE PREFIX TOKEN ENCODING_AES_KEY APP_ID CHANNEL")
    }
    let token = arguments[5]
    let channel = arguments[8]
    var generator = SystemRandomNumberGenerator()
    for index in 0..<count {
        // MsgIds are digits in WeChat; the prefix keeps runs apart.
        let xml = "<xml><ToUserName><![CDATA[gh_3f2a1b0c9d8e]]></ToUserName><FromUserName><![CDATA[oBench\(index % 100_000)]]></FromUserName>"
            + "<CreateTime>\(now)</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[你好，我想查询订单 \(index) 的物流]]></Content>"
            + "<MsgId>\(prefix)\(index)</MsgId></xml>"
        let random = (0..<16).map { _ in UInt8(ascii: "a") + UInt8.random(in: 0..<26, using: &generator) }
        let encrypt = cipher.encrypt(Array(xml.utf8), random: random)
        let stamp = String(now)
        let nonce = String(index)
        let signature = WeChatSignature.compute([token, stamp, nonce])
        let messageSignature = WeChatSignature.compute([token, stamp, nonce, encrypt])
        emit(
            path: "/channels/\(channel)/wechat?signature=\(signature)&timestamp=\(stamp)&nonce=\(nonce)&openid=oBench\(index % 100_000)"
                + "&encrypt_type=aes&msg_signature=\(messageSignature)",
            body: "<xml><ToUserName><![CDATA[gh_3f2a1b0c9d8e]]></ToUserName><Encrypt><![CDATA[\(encrypt)]]></Encrypt></xml>")
    }
case "webchat":
    guard arguments.count == 7 else { fail("usage: switchboard-bench-requests webchat COUNT FILE PREFIX SECRET CHANNEL") }
    let signature = WebChatSignature(secret: arguments[5])
    let channel = arguments[6]
    for index in 0..<count {
        let body = #"{"id":"\#(prefix)\#(index)","visitor":{"id":"v\#(index % 100_000)"},"text":"你好，我想查询订单 \#(index) 的物流"}"#
        // The signature travels in the path's query for the replayer; wrk sends it as headers (see wrk-replay.lua).
        let mac = signature.sign(body: Data(body.utf8), timestamp: now)
        emit(path: "/channels/\(channel)/messages#\(now)#\(mac)", body: body)
    }
default:
    fail("unknown kind \(arguments[1]); expected wechat or webchat")
}
output.write(buffer)
try? output.close()
