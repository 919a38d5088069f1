import SwitchboardCore
import SwitchboardStore

extension GatewayStore {
    /// A conversation by id, or by its short number (`1042` or `#1042`), for API paths;
    /// a `404` ``APIError`` when there is none.
    func findConversation(_ key: String) async throws -> ConversationDetail {
        let trimmed = key.hasPrefix("#") ? String(key.dropFirst()) : key
        if let number = Int64(trimmed), let detail = try await conversation(number: number) { return detail }
        if let detail = try await conversation(ConversationID(key)) { return detail }
        throw APIError.notFound("conversation \(key) not found")
    }
}
