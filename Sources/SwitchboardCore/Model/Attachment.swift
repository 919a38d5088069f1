import Crypto
import Foundation

/// A file attached to a message, stored once by content.
///
/// The blob is addressed by the SHA-256 of its bytes; the name and media type are what the sender
/// declared, kept as metadata only. A stored file's path never derives from a sender's name.
public struct Attachment: Sendable, Hashable, Codable {
    /// Lower-case hex SHA-256 of the content.
    public var sha256: String
    public var size: Int
    /// The file name the sender declared (metadata only; may be hostile).
    public var name: String
    /// The media type the sender declared (metadata only; never trusted for rendering).
    public var contentType: String
    /// MIME `Content-ID` when the attachment is referenced inline (`cid:`).
    public var contentID: String?

    public init(sha256: String, size: Int, name: String, contentType: String, contentID: String? = nil) {
        self.sha256 = sha256
        self.size = size
        self.name = name
        self.contentType = contentType
        self.contentID = contentID
    }

    /// The hex SHA-256 digest of `data`, the address of its blob.
    public static func digest(of data: some DataProtocol) -> String {
        SHA256.hash(data: data).hexString
    }
}

/// Attachment bytes as an adapter received them, before they are stored.
public struct InboundAttachment: Sendable, Hashable {
    public var name: String
    public var contentType: String
    public var data: Data
    public var contentID: String?

    public init(name: String, contentType: String, data: Data, contentID: String? = nil) {
        self.name = name
        self.contentType = contentType
        self.data = data
        self.contentID = contentID
    }
}

extension Sequence where Element == UInt8 {
    /// Lower-case hexadecimal text of the bytes.
    public var hexString: String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(underestimatedCount * 2)
        for byte in self {
            bytes.append(hexDigits[Int(byte >> 4)])
            bytes.append(hexDigits[Int(byte & 0x0F)])
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

private let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)
