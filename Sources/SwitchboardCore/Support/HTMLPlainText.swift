import Foundation

/// The text of an HTML reply for channels that show only text (WeChat, Weibo): tags dropped,
/// line breaks kept for `br`, `p`, `div` and `li`, the common entities decoded.
///
/// Not an HTML renderer: agent replies are short, and a channel without HTML needs readable text,
/// not layout.
public enum HTMLPlainText {
    /// The text of an HTML reply: tags dropped, the common entities decoded, breaks kept.
    public static func text(of html: String) -> String {
        var text = ""
        var inTag = false
        var tag = ""
        for character in html {
            if inTag {
                if character == ">" {
                    inTag = false
                    let name = tag.lowercased().split(whereSeparator: { $0 == " " || $0 == "/" }).first ?? ""
                    if ["br", "p", "div", "li"].contains(name) { text.append("\n") }
                } else {
                    tag.append(character)
                }
            } else if character == "<" {
                inTag = true
                tag = ""
            } else {
                text.append(character)
            }
        }
        for (entity, value) in [("&lt;", "<"), ("&gt;", ">"), ("&quot;", "\""), ("&#39;", "'"), ("&nbsp;", " "), ("&amp;", "&")] {
            text = text.replacingOccurrences(of: entity, with: value)
        }
        return text.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
