import Crypto
import Foundation
import Hummingbird
import SwitchboardCore
import SwitchboardStore

/// Checks `Authorization: Bearer <token>` against the bootstrap admin token and the token store.
///
/// Tokens are compared by their SHA-256; the store never holds a token itself.
public struct Authenticator: Sendable {
    private let adminTokenHash: String?
    private let store: any TokenStore

    public init(adminToken: String?, store: any TokenStore) {
        self.adminTokenHash = adminToken.map(Self.hash)
        self.store = store
    }

    /// Lower-case hex SHA-256 of a token.
    public static func hash(_ token: String) -> String { SHA256.hash(data: Data(token.utf8)).hexString }

    /// The scope of the request's token; throws 401 without a known token and 403 when the
    /// scope does not allow `required`.
    @discardableResult
    func require(_ required: TokenScope, _ request: Request) async throws -> AuthenticatedCaller {
        guard let header = request.headers[.authorization], header.lowercased().hasPrefix("bearer ") else {
            throw APIError.unauthorized
        }
        let token = header.dropFirst(7).trimmingCharacters(in: .whitespaces)
        guard !token.isEmpty else { throw APIError.unauthorized }
        let hash = Self.hash(token)
        let caller: AuthenticatedCaller
        if let adminTokenHash, constantTimeEqual(hash, adminTokenHash) {
            caller = AuthenticatedCaller(scope: .admin, name: "admin")
        } else if let stored = try await store.token(hash: hash) {
            caller = AuthenticatedCaller(scope: stored.scope, name: stored.name ?? stored.scope.rawValue)
        } else {
            throw APIError.unauthorized
        }
        guard caller.scope.allows(required) else { throw APIError.forbidden(required.rawValue) }
        return caller
    }

    private func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let left = Array(a.utf8)
        let right = Array(b.utf8)
        guard left.count == right.count else { return false }
        var difference: UInt8 = 0
        for index in left.indices { difference |= left[index] ^ right[index] }
        return difference == 0
    }
}

/// Who made an API request.
struct AuthenticatedCaller: Sendable {
    var scope: TokenScope
    var name: String
}

/// New API tokens: `sb_<scope>_<43 characters of base64url randomness>`.
public enum TokenGenerator {
    public static func make(scope: TokenScope) -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        let random = Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
        return "sb_\(scope.rawValue)_\(random)"
    }
}
