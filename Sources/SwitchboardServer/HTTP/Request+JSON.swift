import Foundation
import Hummingbird
import SwitchboardCore

extension Request {
    /// The body decoded as JSON; a bad body is a `400` naming the field (`rules[2].then.group`).
    func decodeJSON<T: Decodable>(_ type: T.Type, limit: Int) async throws -> T {
        let buffer = try await body.collect(upTo: limit)
        do {
            return try JSONDecoder().decode(type, from: Data(buffer: buffer))
        } catch {
            let problem = DecodingProblem.describe(error)
            throw APIError.badRequest(
                problem.field.map { "\($0) \(problem.message)" } ?? problem.message, field: problem.field)
        }
    }
}
