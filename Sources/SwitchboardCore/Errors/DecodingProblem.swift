/// Turns a `DecodingError` into the field path and reason a sender can act on.
///
/// Shared by every JSON entry point (web chat bodies, API requests, configuration sections), so
/// a bad value is always reported as `field` + reason the same way.
public enum DecodingProblem {
    public static func describe(_ error: any Error) -> (message: String, field: String?) {
        guard let error = error as? DecodingError else { return ("body is not valid JSON", nil) }
        switch error {
        case .keyNotFound(let key, let context):
            return ("is required", path(context.codingPath + [key]))
        case .typeMismatch(let type, let context):
            return ("must be \(typeName(type))", path(context.codingPath))
        case .valueNotFound(let type, let context):
            return ("must be \(typeName(type)), found null", path(context.codingPath))
        case .dataCorrupted(let context):
            if context.codingPath.isEmpty {
                return ("body is not valid JSON (or not UTF-8, or nested too deeply)", nil)
            }
            return ("is not a valid value", path(context.codingPath))
        @unknown default:
            return ("body is not valid JSON", nil)
        }
    }

    private static func path(_ keys: [any CodingKey]) -> String {
        var text = ""
        for key in keys {
            if let index = key.intValue {
                text += "[\(index)]"
            } else {
                text += text.isEmpty ? key.stringValue : ".\(key.stringValue)"
            }
        }
        return text
    }

    private static func typeName(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Int.Type: "an integer"
        case is Bool.Type: "true or false"
        case is [String: String].Type: "an object of strings"
        default:
            String(describing: type).hasPrefix("Array") ? "an array" : "an object"
        }
    }
}
