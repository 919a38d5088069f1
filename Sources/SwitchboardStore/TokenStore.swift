import Foundation

/// API bearer tokens, stored only as hashes.
public protocol TokenStore: Sendable {
    func createToken(_ token: StoredToken) async throws
    /// The token whose SHA-256 hex is `hash`, unless revoked; `nil` otherwise.
    func token(hash: String) async throws -> StoredToken?
}

/// What an API token may do. `admin` may do everything.
public enum TokenScope: String, Sendable, Hashable, Codable, CaseIterable {
    /// Configuration and every API, including customer merges.
    case admin
    /// Read conversations and customers, reply, close.
    case agent
    /// Read conversations and customers (for integrations that mirror data).
    case integration

    /// Whether a token of this scope may do what `required` allows.
    public func allows(_ required: TokenScope) -> Bool {
        switch (self, required) {
        case (.admin, _): true
        case (.agent, .agent), (.agent, .integration): true
        case (.integration, .integration): true
        default: false
        }
    }
}

/// A token record: its hash, never the token itself.
public struct StoredToken: Sendable, Hashable {
    public var id: String
    /// Lower-case hex SHA-256 of the token text.
    public var hash: String
    public var scope: TokenScope
    public var name: String?
    public var createdAt: Date

    public init(id: String, hash: String, scope: TokenScope, name: String?, createdAt: Date) {
        self.id = id
        self.hash = hash
        self.scope = scope
        self.name = name
        self.createdAt = createdAt
    }
}
