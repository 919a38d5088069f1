/// The kind of channel a contact arrived through.
///
/// An open, string-backed type rather than a closed enum: an integrator adding a new adapter
/// declares its own kind (`ChannelKind("line")`) without editing Core.
public struct ChannelKind: RawRepresentable, Hashable, Sendable, Codable, ExpressibleByStringLiteral,
    CustomStringConvertible
{
    public let rawValue: String

    public init(rawValue: String) { self.rawValue = rawValue }
    public init(_ rawValue: String) { self.rawValue = rawValue }
    public init(stringLiteral value: String) { self.rawValue = value }

    public var description: String { rawValue }

    public static let email: ChannelKind = "email"
    public static let webchat: ChannelKind = "webchat"
    public static let wechat: ChannelKind = "wechat"
    public static let weibo: ChannelKind = "weibo"
    public static let phone: ChannelKind = "phone"
}
