extension ConfigValue {
    /// This value with a JSON merge patch (RFC 7396) applied: keys in the patch replace ours,
    /// `null` removes a key, nested objects merge. `PATCH` endpoints use it so a client sends
    /// only what changes.
    public func merging(patch: ConfigValue) -> ConfigValue {
        guard case .map(let changes) = patch else { return patch }
        var result: [String: ConfigValue] = [:]
        if case .map(let current) = self { result = current }
        for (key, change) in changes {
            if change == .null {
                result[key] = nil
            } else {
                result[key] = (result[key] ?? .null).merging(patch: change)
            }
        }
        return .map(result)
    }
}
