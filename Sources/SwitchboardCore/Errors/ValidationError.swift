/// Input that breaks a rule of the model: a missing field, a value out of range, a wrong type.
///
/// Carries the field path (`visitor.id`, `attachments[2].data`) so a channel can answer
/// `400 {"error": …, "field": …}` and the integrator knows exactly what to fix.
public struct ValidationError: Error, Hashable, Sendable, CustomStringConvertible, HTTPStatusProviding {
    /// Dotted path of the offending field, as the sender named it.
    public var field: String
    /// What is wrong with it, phrased to complete "`field` …".
    public var reason: String

    public init(field: String, reason: String) {
        self.field = field
        self.reason = reason
    }

    public var description: String { "\(field) \(reason)" }
    public var httpStatus: Int { 400 }
}
