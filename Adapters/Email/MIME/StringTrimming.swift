/// Whitespace trimming without Foundation: `trimmingCharacters(in:)` bridges through NSString on
/// Linux, which showed up in profiles of the mail paths (several calls per header of every message).
extension StringProtocol {
    /// The text without leading and trailing whitespace (spaces, tabs, line breaks).
    public func trimmingSpace() -> String {
        guard let first = firstIndex(where: { !$0.isWhitespace }), let last = lastIndex(where: { !$0.isWhitespace }) else {
            return ""
        }
        return String(self[first...last])
    }
}
