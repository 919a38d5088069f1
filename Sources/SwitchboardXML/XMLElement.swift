/// One element of a document read by ``StrictXML``: its name, attributes, child elements and
/// the character data directly inside it.
///
/// Channel payloads (WeChat pushes, FreeSWITCH CDRs) are small, flat documents read once into
/// fields; a tree of values is all they need, and it keeps parsing separate from interpretation.
public struct XMLElement: Sendable, Hashable {
    public var name: String
    /// Attributes in document order, values with references decoded.
    public var attributes: [XMLAttribute]
    public var children: [XMLElement]
    /// The text and CDATA directly inside this element, concatenated in document order (line
    /// ends normalized to LF as XML requires); whitespace between child elements included.
    public var text: String

    public init(name: String, attributes: [XMLAttribute] = [], children: [XMLElement] = [], text: String = "") {
        self.name = name
        self.attributes = attributes
        self.children = children
        self.text = text
    }

    /// The first child element named `name`.
    public func child(_ name: String) -> XMLElement? {
        children.first { $0.name == name }
    }

    /// The text of the first child element named `name`, or `nil` when there is none.
    public func childText(_ name: String) -> String? {
        child(name)?.text
    }

    /// The value of the attribute named `name`.
    public func attribute(_ name: String) -> String? {
        attributes.first { $0.name == name }?.value
    }
}

/// One `name="value"` pair of an element.
public struct XMLAttribute: Sendable, Hashable {
    public var name: String
    public var value: String

    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}
