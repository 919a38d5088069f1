import Foundation

/// One HTTP route a push adapter serves, relative to `/channels/{channelID}/`.
public struct PushRoute: Sendable {
    /// Upper-case HTTP method (`POST`, `GET`).
    public var method: String
    /// Path below the channel, without a leading slash (`messages`, `ratings`).
    public var path: String
    public var handler: @Sendable (PushRequest) async -> PushResponse

    public init(method: String, path: String, handler: @escaping @Sendable (PushRequest) async -> PushResponse) {
        self.method = method.uppercased()
        self.path = path
        self.handler = handler
    }
}

/// An HTTP request as a push adapter sees it: framework-neutral, with the raw body bytes.
public struct PushRequest: Sendable {
    public var method: String
    public var path: String
    /// Header fields with lower-cased names; repeated fields keep every value.
    public var headers: [(name: String, value: String)]
    /// Query parameters (last value wins).
    public var query: [String: String]
    /// The body exactly as received.
    public var body: Data
    /// When the server received the request, for timestamp windows.
    public var receivedAt: Date

    public init(
        method: String, path: String, headers: [(name: String, value: String)], query: [String: String] = [:],
        body: Data, receivedAt: Date = Date()
    ) {
        self.method = method
        self.path = path
        self.headers = headers.map { (name: $0.name.lowercased(), value: $0.value) }
        self.query = query
        self.body = body
        self.receivedAt = receivedAt
    }

    /// The first value of a header field, by case-insensitive name.
    public func header(_ name: String) -> String? {
        let lowered = name.lowercased()
        return headers.first(where: { $0.name == lowered })?.value
    }
}

/// What a push adapter answers.
public struct PushResponse: Sendable {
    public var status: Int
    public var headers: [(name: String, value: String)]
    public var body: Data

    public init(status: Int, headers: [(name: String, value: String)] = [], body: Data = Data()) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// A JSON response from an `Encodable` value.
    public static func json(_ status: Int, _ value: some Encodable, headers: [(name: String, value: String)] = []) -> PushResponse {
        let body = (try? JSONEncoder.switchboard.encode(value)) ?? Data("{}".utf8)
        return PushResponse(status: status, headers: [(name: "content-type", value: "application/json")] + headers, body: body)
    }

    /// A plain-text answer (a platform's `success`, a verification echo, or empty).
    public static func text(_ status: Int, _ text: String) -> PushResponse {
        PushResponse(status: status, headers: [(name: "content-type", value: "text/plain")], body: Data(text.utf8))
    }

    /// The answer to a contact that could not be stored for a reason that may pass (store
    /// failure, overload, shutdown): the error's status with `Retry-After: 1`, so the channel
    /// redelivers. The cause (possibly a database message) belongs in the log, not the answer.
    public static func retryLater(_ error: IngestError) -> PushResponse {
        .error(error.httpStatus, "not stored (\(error.metricReason)); retry later", headers: [(name: "retry-after", value: "1")])
    }

    /// The standard error body `{"error": …, "field": …}`.
    public static func error(_ status: Int, _ message: String, field: String? = nil, headers: [(name: String, value: String)] = []) -> PushResponse {
        json(status, ErrorBody(error: message, field: field), headers: headers)
    }
}

/// The JSON error body every Switchboard endpoint answers with: `{"error": "...", "field": "..."}`.
public struct ErrorBody: Codable, Sendable, Hashable {
    public var error: String
    public var field: String?

    public init(error: String, field: String? = nil) {
        self.error = error
        self.field = field
    }
}

extension JSONEncoder {
    /// The encoder for every JSON body Switchboard writes: ISO 8601 dates with milliseconds,
    /// sorted keys, no escaped slashes.
    public static var switchboard: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(ISO8601.format(date))
        }
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }
}

/// ISO 8601 timestamps with millisecond precision in UTC (`2026-11-23T11:08:37.123Z`).
public enum ISO8601 {
    public static func format(_ date: Date) -> String {
        date.formatted(.iso8601.year().month().day().time(includingFractionalSeconds: true).timeZone(separator: .omitted))
    }

    /// A timestamp with or without fractional seconds, `Z` or an offset; `nil` if it is not one.
    public static func parse(_ text: String) -> Date? {
        if let date = try? Date(text, strategy: .iso8601) { return date }
        return try? Date(text, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }
}
