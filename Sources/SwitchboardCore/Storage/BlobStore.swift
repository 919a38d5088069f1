import Foundation

/// Content-addressed storage for attachment bytes.
///
/// ## Implementation requirements
/// - ``put(_:)`` stores the bytes under their SHA-256 and returns only when they are durable;
///   storing the same bytes twice is a no-op. A crash may leave an unreferenced blob, never a
///   referenced one missing or partial.
/// - The location of a blob derives from its digest only, never from a name a sender chose.
public protocol BlobStore: Sendable {
    /// Stores `data` and returns its lower-case hex SHA-256.
    func put(_ data: Data) throws -> String
    /// The bytes stored under `sha256`, or `nil` if there are none.
    func get(_ sha256: String) throws -> Data?
}
