import Foundation

/// One person, reached through any number of handles on any number of channels.
///
/// Customers are created by identity resolution when a contact arrives from a handle we have not
/// seen; they are joined only by an exact handle match or an explicit merge, never on a guess.
public struct Customer: Sendable, Hashable, Codable {
    public var id: CustomerID
    public var name: String?
    public var handles: [Handle]
    /// Free-form attributes (tier, region, tags, custom fields, self-reported email/phone).
    public var attributes: [String: String]
    /// VIP level 0-10 used by routing; 0 is a regular customer.
    public var vipLevel: Int
    public var createdAt: Date
    public var updatedAt: Date
    /// Set when this customer was merged into another; reads follow it.
    public var mergedInto: CustomerID?

    public init(
        id: CustomerID, name: String?, handles: [Handle], attributes: [String: String], vipLevel: Int,
        createdAt: Date, updatedAt: Date, mergedInto: CustomerID? = nil
    ) {
        self.id = id
        self.name = name
        self.handles = handles
        self.attributes = attributes
        self.vipLevel = vipLevel
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.mergedInto = mergedInto
    }

    /// The allowed range of VIP levels.
    public static let vipLevels: ClosedRange<Int> = 0...10
}
