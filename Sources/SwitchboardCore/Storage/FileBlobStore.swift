import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Blobs as files named by their SHA-256 under a directory: `<root>/ab/cd/abcd…`.
///
/// Writes go to a temporary file that is fsynced, then renamed into place and the directory
/// fsynced, so a blob a committed message refers to survives power loss. The file name is the
/// digest; sender-chosen names never reach the file system.
public struct FileBlobStore: BlobStore {
    public let root: URL

    public init(root: URL) throws {
        self.root = root
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
    }

    public func put(_ data: Data) throws -> String {
        let digest = Attachment.digest(of: data)
        let directory = directory(for: digest)
        let target = directory.appendingPathComponent(digest)
        if FileManager.default.fileExists(atPath: target.path) { return digest }
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let temporary = directory.appendingPathComponent(".\(digest).\(UUID().uuidString).tmp")
        try Self.writeDurably(data, to: temporary)
        guard rename(temporary.path, target.path) == 0 else {
            let code = errno
            try? FileManager.default.removeItem(at: temporary)
            throw BlobStoreError(path: target.path, reason: String(cString: strerror(code)))
        }
        Self.syncDirectory(directory)
        return digest
    }

    public func get(_ sha256: String) throws -> Data? {
        guard Self.isDigest(sha256) else { return nil }
        let path = directory(for: sha256).appendingPathComponent(sha256)
        guard FileManager.default.fileExists(atPath: path.path) else { return nil }
        return try Data(contentsOf: path)
    }

    private func directory(for digest: String) -> URL {
        let characters = Array(digest)
        return root.appendingPathComponent(String(characters[0..<2])).appendingPathComponent(String(characters[2..<4]))
    }

    static func isDigest(_ text: String) -> Bool {
        text.utf8.count == 64 && text.utf8.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) }
    }

    private static func writeDurably(_ data: Data, to url: URL) throws {
        let descriptor = open(url.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o640)
        guard descriptor >= 0 else { throw BlobStoreError(path: url.path, reason: String(cString: strerror(errno))) }
        defer { close(descriptor) }
        try data.withUnsafeBytes { buffer in
            guard let base = buffer.baseAddress else { return }
            var offset = 0
            while offset < buffer.count {
                let written = write(descriptor, base + offset, buffer.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    throw BlobStoreError(path: url.path, reason: String(cString: strerror(errno)))
                }
                offset += written
            }
        }
        guard fsync(descriptor) == 0 else { throw BlobStoreError(path: url.path, reason: String(cString: strerror(errno))) }
    }

    private static func syncDirectory(_ url: URL) {
        let descriptor = open(url.path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { return }
        _ = fsync(descriptor)
        close(descriptor)
    }
}

/// A blob could not be written or read; the message naming it was not committed.
public struct BlobStoreError: Error, CustomStringConvertible {
    public var path: String
    public var reason: String
    public var description: String { "cannot store attachment at \(path): \(reason)" }
}
