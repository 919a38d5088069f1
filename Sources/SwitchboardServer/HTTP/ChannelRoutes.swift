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
    let adapters: [ChannelID: any PushChannelAdapter]
    let logger: Logger
    let rejected: CounterFamily

    func register(on router: Router<BasicRequestContext>) {
        var mounted: Set<String> = []
        for adapter in adapters.values.sorted(by: { $0.id < $1.id }) {
            for route in adapter.routes where mounted.insert("\(route.method) \(route.path)").inserted {
                let method = HTTPRequest.Method(route.method) ?? .post
                let path = route.path
                router.on(RouterPath("channels/:channelID/\(path)"), method: method) { request, context in
                    try await dispatch(request, context: context, method: route.method, path: path)
                }
            }
        }
    }

    private func dispatch(_ request: Request, context: BasicRequestContext, method: String, path: String) async throws
        -> Response
    {
        let channel = try context.parameters.require("channelID")
        guard let adapter = adapters[ChannelID(rawValue: channel)],
            let route = adapter.routes.first(where: { $0.method == method && $0.path == path })
        else {
            return HTTPResponses.json(404, ErrorBody(error: "unknown channel '\(channel)'"))
        }
        if let length = request.headers[.contentLength].flatMap(Int.init), length > adapter.maxBodySize {
            return await tooLarge(adapter, draining: request.body)
        }
        var collected = ByteBuffer()
        var iterator = request.body.makeAsyncIterator()
        while let chunk = try await iterator.next() {
            guard collected.readableBytes + chunk.readableBytes <= adapter.maxBodySize else {
                return await tooLarge(adapter, draining: request.body)
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
            PushRequest(method: method, path: path, headers: headers, query: query, body: Data(buffer: body)))
        return HTTPResponses.raw(response.status, body: response.body, headers: response.headers)
    }

    /// Answers 413. The rest of the body is read and discarded (up to 64 MiB) first, so that
    /// clients which send the whole body before reading the answer see the 413 instead of a
    /// reset connection; beyond that the connection is closed.
    private func tooLarge(_ adapter: any PushChannelAdapter, draining body: RequestBody) async -> Response {
        var drained = 0
        do {
            for try await chunk in body {
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
