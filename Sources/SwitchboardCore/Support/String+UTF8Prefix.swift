extension String {
    /// The longest prefix of whole characters whose UTF-8 form fits in `maxBytes` bytes.
    ///
    /// For cutting channel text to a byte limit (the store's limits are in bytes) without
    /// splitting a character: cutting by characters can still exceed the limit with CJK text,
    /// and cutting bytes can leave half a character.
    public func prefix(utf8Bytes maxBytes: Int) -> String {
        guard utf8.count > maxBytes else { return self }
        var result = ""
        var used = 0
        for character in self {
            let size = character.utf8.count
            guard used + size <= maxBytes else { break }
            result.append(character)
            used += size
        }
        return result
    }
}
