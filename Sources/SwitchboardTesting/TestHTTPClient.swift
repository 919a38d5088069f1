import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// A small HTTP client for tests against a gateway on loopback.
public final class TestHTTPClient: Sendable {
    public let port: Int
    private let client: HTTPClient

    public init(port: Int) {
        self.port = port
        var configuration = HTTPClient.Configuration()
        configuration.timeout = .init(connect: .seconds(5), read: .seconds(60))
        self.client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    /// A response with its body collected.
    public struct Response: Sendable {
        public var status: Int
        public var headers: [(name: String, value: String)]
        public var body: Data

        public var text: String { String(decoding: body, as: UTF8.self) }

        /// The body as a JSON object (empty when it is not one).
        public var json: [String: Any] {
            (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] ?? [:]
        }
    }

    public func request(
        _ method: String, _ path: String, headers: [(name: String, value: String)] = [], body: Data? = nil,
        bearer: String? = nil
    ) async throws -> Response {
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)\(path)")
        request.method = HTTPMethod(rawValue: method)
        for header in headers { request.headers.add(name: header.name, value: header.value) }
        if let bearer { request.headers.add(name: "Authorization", value: "Bearer \(bearer)") }
        if let body {
            request.body = .bytes(ByteBuffer(bytes: body))
            if !request.headers.contains(name: "Content-Type") {
                request.headers.add(name: "Content-Type", value: "application/json")
            }
        }
        let response = try await client.execute(request, timeout: .seconds(60))
        let collected = try await response.body.collect(upTo: 64 << 20)
        return Response(
            status: Int(response.status.code), headers: response.headers.map { (name: $0.name, value: $0.value) },
            body: Data(buffer: collected))
    }

    /// POSTs `body` with chunked transfer encoding (no Content-Length), in `chunkSize` pieces.
    public func postChunked(
        _ path: String, headers: [(name: String, value: String)] = [], body: Data, chunkSize: Int = 64 * 1024
    ) async throws -> Response {
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)\(path)")
        request.method = .POST
        for header in headers { request.headers.add(name: header.name, value: header.value) }
        let chunks = stride(from: 0, to: body.count, by: chunkSize).map {
            ByteBuffer(bytes: body[$0..<min($0 + chunkSize, body.count)])
        }
        let (stream, continuation) = AsyncStream.makeStream(of: ByteBuffer.self)
        for chunk in chunks { continuation.yield(chunk) }
        continuation.finish()
        request.body = .stream(stream, length: .unknown)
        let response = try await client.execute(request, timeout: .seconds(60))
        let collected = try await response.body.collect(upTo: 64 << 20)
        return Response(
            status: Int(response.status.code), headers: response.headers.map { (name: $0.name, value: $0.value) },
            body: Data(buffer: collected))
    }

    public func get(_ path: String, bearer: String? = nil) async throws -> Response {
        try await request("GET", path, bearer: bearer)
    }

    public func post(_ path: String, json: [String: Any], bearer: String? = nil) async throws -> Response {
        try await request("POST", path, body: try JSONSerialization.data(withJSONObject: json), bearer: bearer)
    }

    public func shutdown() async {
        try? await client.shutdown()
    }
}

