/// An error that knows which HTTP status it should be answered with.
///
/// Core does not depend on an HTTP framework; the server maps any error conforming to this
/// protocol to its status and everything else to `500` plus a log line.
public protocol HTTPStatusProviding: Error {
    /// The HTTP status code this error should produce (4xx for the caller's fault, 5xx for ours).
    var httpStatus: Int { get }
}
