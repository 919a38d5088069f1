/// Turns text into the tokens the knowledge base indexes and searches, for Chinese, Japanese and
/// Korean as well as space-separated languages.
///
/// SQLite's FTS5 `unicode61` tokenizer splits on spaces and punctuation, so a run of Chinese
/// characters with no spaces becomes one huge token and "退款" would never match "我要退款".
/// Its `trigram` tokenizer needs three characters, but most Chinese words are two. So we
/// tokenize before SQLite sees the text: Latin-script words stay words (lower-cased), and every
/// CJK run becomes its overlapping character pairs ("我要退款" → 我要 要退 退款), the classic
/// bigram approach of CJK search engines; a lone CJK character stays a token. The tokens are
/// stored space-separated, so `unicode61` then only splits on the spaces we put there. A query
/// goes through the same function, so "退款" is the token 退款 and finds every article with it.
public enum SearchText {
    public static func tokens(_ text: String) -> [String] {
        var tokens: [String] = []
        var word = ""
        var cjkRun: [Character] = []
        func flushWord() {
            if !word.isEmpty { tokens.append(word) }
            word = ""
        }
        func flushRun() {
            if cjkRun.count == 1 {
                tokens.append(String(cjkRun[0]))
            } else if cjkRun.count > 1 {
                for index in 0..<(cjkRun.count - 1) { tokens.append(String(cjkRun[index]) + String(cjkRun[index + 1])) }
            }
            cjkRun = []
        }
        for character in text.lowercased() {
            if isCJK(character) {
                flushWord()
                cjkRun.append(character)
            } else if character.isLetter || character.isNumber {
                flushRun()
                word.append(character)
            } else {
                flushWord()
                flushRun()
            }
        }
        flushWord()
        flushRun()
        return tokens
    }

    /// The tokens joined by spaces: what the index stores.
    public static func indexed(_ text: String) -> String { tokens(text).joined(separator: " ") }

    static func isCJK(_ character: Character) -> Bool {
        guard let scalar = character.unicodeScalars.first else { return false }
        switch scalar.value {
        case 0x3040...0x30FF,  // Hiragana, Katakana
            0x3400...0x4DBF,  // CJK Extension A
            0x4E00...0x9FFF,  // CJK Unified Ideographs
            0xAC00...0xD7AF,  // Hangul syllables
            0xF900...0xFAFF,  // CJK Compatibility Ideographs
            0x20000...0x2FA1F:  // Extensions B-F, Compatibility Supplement
            return true
        default:
            return false
        }
    }
}
