import Foundation
import SwitchboardCore
import Testing

@Suite("File blob store")
struct FileBlobStoreTests {
    @Test("blobs are stored by content and found again; names never reach the file system")
    func roundTrip() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("blobs-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let store = try FileBlobStore(root: root)
        let data = Data("attachment bytes".utf8)
        let digest = try store.put(data)
        #expect(digest == Attachment.digest(of: data))
        #expect(try store.put(data) == digest)  // idempotent
        #expect(try store.get(digest) == data)
        #expect(try store.get(String(repeating: "0", count: 64)) == nil)
        #expect(try store.get("../../etc/passwd") == nil)
        let files = FileManager.default.enumerator(atPath: root.path)?.allObjects as? [String] ?? []
        #expect(files.contains("\(digest.prefix(2))/\(digest.dropFirst(2).prefix(2))/\(digest)"))
        #expect(!files.contains { $0.hasSuffix(".tmp") })
    }
}
