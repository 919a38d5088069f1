import Foundation

/// Reads typed keys from one mapping of the configuration, collecting every problem with its
/// key path instead of stopping at the first.
///
/// ```swift
/// let reader = ConfigReader(root, path: "channels[0]", problems: problems, environment: env)
/// let secret = reader.secret("secret", required: true)        // "env:NAME" and "file:PATH" resolved
/// let limit = reader.int("maxBodyBytes", default: 1_048_576, range: 1...(64 << 20))
/// reader.rejectUnknownKeys()                                    // typos become problems too
/// ```
public final class ConfigReader: @unchecked Sendable {
    /// Shared sink for problems found by a reader and its children.
    public final class Problems: @unchecked Sendable {
        private let lock = NSLock()
        private var items: [ConfigProblem] = []
        public init() {}
        public func add(_ problem: ConfigProblem) { lock.withLock { items.append(problem) } }
        public var all: [ConfigProblem] { lock.withLock { items } }
    }

    public let path: String
    public let values: [String: ConfigValue]
    public let problems: Problems
    /// Process environment used for `env:NAME` secrets.
    public let environment: [String: String]
    private var readKeys: Set<String> = []

    public init(_ values: [String: ConfigValue], path: String, problems: Problems, environment: [String: String]) {
        self.values = values
        self.path = path
        self.problems = problems
        self.environment = environment
    }

    /// The full key path of `key` under this reader.
    public func keyPath(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    /// Records a problem at `key`.
    public func problem(_ key: String, _ message: String) {
        problems.add(ConfigProblem(path: keyPath(key), message: message))
    }

    private func value(_ key: String) -> ConfigValue? {
        readKeys.insert(key)
        guard let value = values[key], value != .null else { return nil }
        return value
    }

    public func string(_ key: String, required: Bool = false) -> String? {
        switch value(key) {
        case nil:
            if required { problem(key, "is required") }
            return nil
        case .string(let text): return text
        case .int(let number): return String(number)
        case .double(let number): return String(number)
        case .bool(let flag): return String(flag)
        case let other?:
            problem(key, "must be a string, found \(other.typeName)")
            return nil
        }
    }

    public func string(_ key: String, default defaultValue: String) -> String {
        string(key) ?? defaultValue
    }

    /// A string that must be one of `choices`.
    public func choice(_ key: String, _ choices: [String], default defaultValue: String) -> String {
        guard let text = string(key) else { return defaultValue }
        guard choices.contains(text) else {
            problem(key, "must be one of \(choices.joined(separator: ", ")), found '\(text)'")
            return defaultValue
        }
        return text
    }

    public func int(_ key: String, default defaultValue: Int, range: ClosedRange<Int>? = nil) -> Int {
        let number: Int
        switch value(key) {
        case nil: return defaultValue
        case .int(let value): number = value
        case .string(let text) where Int(text) != nil: number = Int(text) ?? defaultValue
        case let other?:
            problem(key, "must be an integer, found \(other.typeName)")
            return defaultValue
        }
        if let range, !range.contains(number) {
            problem(key, "must be between \(range.lowerBound) and \(range.upperBound), found \(number)")
            return defaultValue
        }
        return number
    }

    /// An `http://` or `https://` URL with a host, or `nil` (with a problem if present but not one).
    public func httpURL(_ key: String) -> URL? {
        guard let text = string(key) else { return nil }
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), ["http", "https"].contains(scheme),
            url.host?.isEmpty == false
        else {
            problem(key, "must be an http:// or https:// URL with a host, found '\(text)'")
            return nil
        }
        return url
    }

    /// A list of names each of which must be one of `allowed`; the others are reported with
    /// `refusal` ("'X' <refusal>; allowed: …") and left out.
    public func names(_ key: String, allowed: [String], refusal: String) -> Set<String> {
        var names: Set<String> = []
        for name in decode(key, as: [String].self) ?? [] {
            if allowed.contains(name) {
                names.insert(name)
            } else {
                problem(key, "'\(name)' \(refusal); allowed: \(allowed.joined(separator: ", "))")
            }
        }
        return names
    }

    public func bool(_ key: String, default defaultValue: Bool) -> Bool {
        switch value(key) {
        case nil: return defaultValue
        case .bool(let flag): return flag
        case .string(let text) where ["true", "false"].contains(text.lowercased()): return text.lowercased() == "true"
        case let other?:
            problem(key, "must be true or false, found \(other.typeName)")
            return defaultValue
        }
    }

    /// A secret given inline, as `env:NAME` (read from the environment) or `file:PATH` (read
    /// from a file, trailing newline removed). Never logged.
    public func secret(_ key: String, required: Bool = false) -> String? {
        guard let text = string(key, required: required) else { return nil }
        if text.hasPrefix("env:") {
            let name = String(text.dropFirst(4))
            guard let value = environment[name], !value.isEmpty else {
                problem(key, "environment variable \(name) is not set")
                return nil
            }
            return value
        }
        if text.hasPrefix("file:") {
            let file = String(text.dropFirst(5))
            guard let data = FileManager.default.contents(atPath: file), let value = String(data: data, encoding: .utf8)
            else {
                problem(key, "cannot read secret file \(file)")
                return nil
            }
            return value.trimmingCharacters(in: .newlines)
        }
        if text.isEmpty {
            problem(key, "is empty")
            return nil
        }
        return text
    }

    /// A nested mapping, or `nil` (with a problem if present but not a mapping).
    public func child(_ key: String) -> ConfigReader? {
        switch value(key) {
        case nil: return nil
        case .map(let map):
            return ConfigReader(map, path: keyPath(key), problems: problems, environment: environment)
        case let other?:
            problem(key, "must be a mapping, found \(other.typeName)")
            return nil
        }
    }

    /// A list of mappings, each as a reader with an indexed path (`channels[1]`).
    public func list(_ key: String) -> [ConfigReader] {
        switch value(key) {
        case nil: return []
        case .list(let items):
            return items.enumerated().compactMap { index, item in
                let itemPath = "\(keyPath(key))[\(index)]"
                guard case .map(let map) = item else {
                    problems.add(ConfigProblem(path: itemPath, message: "must be a mapping, found \(item.typeName)"))
                    return nil
                }
                return ConfigReader(map, path: itemPath, problems: problems, environment: environment)
            }
        case let other?:
            problem(key, "must be a list, found \(other.typeName)")
            return []
        }
    }

    /// A structured value (a rule list, group definitions) decoded through its JSON form with the
    /// same `Codable` types the API accepts. Decoding problems and keys the type does not know
    /// are recorded with their full key path (`routing.rules[2].when.vipLevel.min`).
    public func decode<T: Codable>(_ key: String, as type: T.Type) -> T? {
        guard let raw = value(key) else { return nil }
        return decodeValue(raw, as: type, path: keyPath(key))
    }

    /// A list whose items are decoded one by one, so a problem in one item does not hide the
    /// problems of the others. `nil` when the key is absent or not a list; failed items are
    /// left out (their problems recorded); each item keeps its index in the file.
    public func decodeEach<T: Codable>(_ key: String, as type: T.Type) -> (items: [(index: Int, value: T)], complete: Bool)? {
        guard let raw = value(key) else { return nil }
        guard case .list(let items) = raw else {
            problem(key, "must be a list, found \(raw.typeName)")
            return nil
        }
        let decoded = items.enumerated().compactMap { index, item in
            decodeValue(item, as: type, path: "\(keyPath(key))[\(index)]").map { (index: index, value: $0) }
        }
        return (decoded, decoded.count == items.count)
    }

    private func decodeValue<T: Codable>(_ raw: ConfigValue, as type: T.Type, path base: String) -> T? {
        func join(_ field: String) -> String { field.hasPrefix("[") ? base + field : "\(base).\(field)" }
        do {
            let decoded = try JSONDecoder().decode(T.self, from: try JSONEncoder().encode(raw))
            // Keys the type dropped are typos or unsupported options: say so instead of ignoring them.
            let echoed = try JSONDecoder().decode(ConfigValue.self, from: try JSONEncoder().encode(decoded))
            for field in Self.droppedKeys(raw, kept: echoed, path: "") {
                problems.add(ConfigProblem(path: join(field), message: "is not a known key here"))
            }
            return decoded
        } catch {
            let problem = DecodingProblem.describe(error)
            problems.add(ConfigProblem(path: problem.field.map(join) ?? base, message: problem.message))
            return nil
        }
    }

    private static func droppedKeys(_ given: ConfigValue, kept: ConfigValue, path: String) -> [String] {
        switch (given, kept) {
        case (.map(let given), .map(let kept)):
            return given.keys.sorted().flatMap { key -> [String] in
                let keyPath = path.isEmpty ? key : "\(path).\(key)"
                guard let keptValue = kept[key] else { return given[key] == .null ? [] : [keyPath] }
                return droppedKeys(given[key] ?? .null, kept: keptValue, path: keyPath)
            }
        case (.list(let given), .list(let kept)) where given.count == kept.count:
            return zip(given, kept).enumerated().flatMap { index, pair in
                droppedKeys(pair.0, kept: pair.1, path: "\(path)[\(index)]")
            }
        default:
            return []
        }
    }

    /// Records every key of this mapping that no accessor read, so typos do not pass silently.
    public func rejectUnknownKeys(ignoring known: Set<String> = []) {
        for key in values.keys.sorted() where !readKeys.contains(key) && !known.contains(key) {
            problem(key, "is not a known key here")
        }
    }
}
