import Foundation
import Hummingbird
import SwitchboardCore

extension Request {
    /// The body decoded as JSON; a bad body is a `400` naming the field (`rules[2].then.group`).
    func decodeJSON<T: Decodable>(_ type: T.Type, limit: Int) async throws -> T {
        let buffer = try await body.collect(upTo: limit)
        let data = Data(buffer: buffer)
        try JSONText.refuseNUL(data)
        do {
            return try JSONDecoder().decode(type, from: data)
        } catch {
            let problem = DecodingProblem.describe(error)
            throw APIError.badRequest(
                problem.field.map { "\($0) \(problem.message)" } ?? problem.message, field: problem.field)
        }
    }
}

/// Checks on JSON request bodies before they are decoded.
enum JSONText {
    /// Whether the JSON text holds a NUL character: a `\u0000` escape in a string, or a raw zero
    /// byte (which is not valid JSON anyway).
    static func containsNUL(_ data: Data) -> Bool {
        data.withUnsafeBytes { bytes in
            var index = 0
            while index < bytes.count {
                switch bytes[index] {
                case 0:
                    return true
                case UInt8(ascii: "\\"):
                    // An escape: `\u0000` is NUL; any other escape (`\\` too) is skipped whole.
                    if index + 5 < bytes.count, bytes[index + 1] == UInt8(ascii: "u"),
                        bytes[(index + 2)...(index + 5)].allSatisfy({ $0 == UInt8(ascii: "0") })
                    {
                        return true
                    }
                    index += 2
                default:
                    index += 1
                }
            }
            return false
        }
    }

    /// `400` for a body with a NUL character. The store keeps text as C strings, which end at the
    /// first NUL: accepting one would silently cut the text short.
    static func refuseNUL(_ data: Data) throws {
        if containsNUL(data) { throw APIError.badRequest("text must not contain NUL characters (\\u0000)") }
    }
}
