/// Why ``StrictXML`` refused a document.
///
/// Two families, because callers answer them differently: ``isForbidden`` documents tried to use
/// a feature that is refused on principle (a DOCTYPE, an entity declaration or an undeclared
/// entity: the XXE and billion-laughs surface), everything else is simply not well-formed.
public struct XMLParseError: Error, Sendable, Hashable, CustomStringConvertible {
    private enum Kind: Sendable, Hashable {
        case forbidden
        case malformed
        case tooComplex
    }

    private let kind: Kind
    /// What is wrong, for a log line or an error body.
    public let reason: String
    /// Byte offset in the document where it was found.
    public let offset: Int

    /// A DOCTYPE, an entity or markup declaration, or a reference to an entity other than the
    /// five XML predefines: refused before anything is resolved or expanded.
    public static func forbidden(_ reason: String, at offset: Int) -> XMLParseError {
        XMLParseError(kind: .forbidden, reason: reason, offset: offset)
    }

    /// Not well-formed XML (unclosed or mismatched tags, bad characters, invalid UTF-8, …).
    public static func malformed(_ reason: String, at offset: Int) -> XMLParseError {
        XMLParseError(kind: .malformed, reason: reason, offset: offset)
    }

    /// Deeper or larger than the ``XMLLimits`` allow.
    public static func tooComplex(_ reason: String, at offset: Int) -> XMLParseError {
        XMLParseError(kind: .tooComplex, reason: reason, offset: offset)
    }

    /// Whether the document used a forbidden feature (DOCTYPE, entity declaration, custom entity).
    public var isForbidden: Bool { kind == .forbidden }
    /// Whether the document exceeded a limit.
    public var isTooComplex: Bool { kind == .tooComplex }

    public var description: String { "\(reason) (at byte \(offset))" }
}

/// Bounds on what ``StrictXML`` will build, so a hostile document costs at most a linear scan.
public struct XMLLimits: Sendable, Hashable {
    /// Deepest element nesting. Default 32.
    public var maxDepth: Int
    /// Most elements in one document. Default 10,000.
    public var maxElements: Int
    /// Most attributes on one element. Default 64.
    public var maxAttributes: Int

    public init(maxDepth: Int = 32, maxElements: Int = 10_000, maxAttributes: Int = 64) {
        self.maxDepth = maxDepth
        self.maxElements = maxElements
        self.maxAttributes = maxAttributes
    }
}
