import Foundation
import HTTPTypes
import Hummingbird
import Logging
import Metrics
import NIOCore
import SwitchboardCore

/// Mounts every push adapter's routes under `/channels/{channelID}/…`.
///
/// The server's part of the push contract: find the channel (`404` if unknown), refuse a body
/// over the channel's limit (`413`, by `Content-Length` before reading, or while reading), and
/// hand the adapter the raw bytes.
struct ChannelRoutes: Sendable {
    /// One channel's adapter and its routes keyed by `"METHOD path"`, built once at start-up.
    struct Mounted: Sendable {
        var adapter: any PushChannelAdapter
        var routes: [String: PushRoute]
    }

    let channels: [ChannelID: Mounted]
    let logger: Logger
    let rejected: CounterFamily

    init(adapters: [ChannelID: any PushChannelAdapter], logger: Logger, rejected: CounterFamily) {
        self.channels = adapters.mapValues { adapter in
            Mounted(
                adapter: adapter,
                routes: Dictionary(adapter.routes.map { ("\($0.method) \($0.path)", $0) }, uniquingKeysWith: { first, _ in first }))
        }
        self.logger = logger
        self.rejected = rejected
    }

    func register(on router: Router<BasicRequestContext>) {
        var mounted: Set<String> = []
        for channel in channels.values.sorted(by: { $0.adapter.id < $1.adapter.id }) {
            for route in channel.routes.values where mounted.insert("\(route.method) \(route.path)").inserted {
                let method = HTTPRequest.Method(route.method) ?? .post
                let key = "\(route.method) \(route.path)"
                let path = route.path
                router.on(RouterPath("channels/:channelID/\(path)"), method: method) { request, context in
                    try await dispatch(request, context: context, key: key)
                }
            }
        }
    }

    private func dispatch(_ request: Request, context: BasicRequestContext, key: String) async throws -> Response {
        let channel = try context.parameters.require("channelID")
        guard let mounted = channels[ChannelID(rawValue: channel)], let route = mounted.routes[key] else {
            return HTTPResponses.json(404, ErrorBody(error: "unknown channel '\(channel)'"))
        }
        let adapter = mounted.adapter
        // A request body can be iterated once: the same iterator reads it and, when too large, drains it.
        var iterator = request.body.makeAsyncIterator()
        if let length = request.headers[.contentLength].flatMap(Int.init), length > adapter.maxBodySize {
            return await tooLarge(adapter, draining: &iterator)
        }
        var collected = ByteBuffer()
        while let chunk = try await iterator.next() {
            guard collected.readableBytes + chunk.readableBytes <= adapter.maxBodySize else {
                return await tooLarge(adapter, draining: &iterator)
            }
            var chunk = chunk
            collected.writeBuffer(&chunk)
        }
        let body = collected
        var headers: [(name: String, value: String)] = []
        headers.reserveCapacity(request.headers.count)
        for field in request.headers { headers.append((name: field.name.canonicalName, value: field.value)) }
        var query: [String: String] = [:]
        for (key, value) in request.uri.queryParameters { query[String(key)] = String(value) }
        let response = await route.handler(
            PushRequest(method: route.method, path: route.path, headers: headers, query: query, body: Data(buffer: body)))
        return HTTPResponses.raw(response.status, body: response.body, headers: response.headers)
    }

    /// Answers 413. The rest of the body is read and discarded (up to 64 MiB) first, so that
    /// clients which send the whole body before reading the answer see the 413 instead of a
    /// reset connection; beyond that the connection is closed.
    private func tooLarge(_ adapter: any PushChannelAdapter, draining iterator: inout RequestBody.AsyncIterator) async
        -> Response
    {
        var drained = 0
        do {
            while let chunk = try await iterator.next() {
                drained += chunk.readableBytes
                if drained > 64 << 20 { break }
            }
        } catch {
            // The client went away; the answer below is best effort.
        }
        rejected.increment(adapter.id.rawValue, "too_large")
        logger.notice(
            "request body over the channel limit", metadata: ["sb.channel": "\(adapter.id)", "sb.limit": "\(adapter.maxBodySize)"])
        return HTTPResponses.json(
            413, ErrorBody(error: "request body is larger than this channel's limit of \(adapter.maxBodySize) bytes"),
            headers: [(name: "Connection", value: "close")])
    }
}
