import SwitchboardCore

/// An API refusal with its status, message and (for 400s) the offending field.
public struct APIError: Error, Sendable, HTTPStatusProviding, CustomStringConvertible {
    public var httpStatus: Int
    public var message: String
    public var field: String?
    public var headers: [(name: String, value: String)]

    public init(_ status: Int, _ message: String, field: String? = nil, headers: [(name: String, value: String)] = []) {
        self.httpStatus = status
        self.message = message
        self.field = field
        self.headers = headers
    }

    public var description: String { message }

    public static func badRequest(_ message: String, field: String? = nil) -> APIError { APIError(400, message, field: field) }
    public static func notFound(_ message: String) -> APIError { APIError(404, message) }
    public static let unauthorized = APIError(
        401, "missing or unknown bearer token", headers: [(name: "WWW-Authenticate", value: "Bearer")])
    public static func forbidden(_ scope: String) -> APIError { APIError(403, "this token's scope does not allow this; needs \(scope)") }
}
