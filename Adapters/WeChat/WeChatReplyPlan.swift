import Foundation
import SwitchboardCore

/// How an agent reply becomes customer-service messages: the text first, then each attachment
/// WeChat can carry (JPEG/PNG images, AMR/MP3 voice) as an uploaded media message. A reply with
/// an attachment WeChat cannot carry fails as a whole before anything is sent.
enum WeChatReplyPlan {
    enum Step: Sendable {
        case text(String)
        case media(type: String, OutboundAttachment)
    }

    static let imageTypes: Set<String> = ["image/jpeg", "image/jpg", "image/png"]
    static let voiceTypes: Set<String> = ["audio/amr", "audio/mpeg", "audio/mp3"]
    /// WeChat's upload limits for temporary media.
    static let maxImageBytes = 10 << 20
    static let maxVoiceBytes = 2 << 20

    static func steps(for delivery: OutboundDelivery) throws(DeliveryError) -> [Step] {
        var steps: [Step] = []
        let text = delivery.message.text.flatMap { $0.isEmpty ? nil : $0 } ?? delivery.message.html.map(plainText)
        if let text, !text.isEmpty { steps.append(.text(text)) }
        for attachment in delivery.attachments {
            let type = attachment.attachment.contentType.lowercased().split(separator: ";").first.map(String.init) ?? ""
            let name = attachment.attachment.name
            if imageTypes.contains(type) {
                guard attachment.data.count <= maxImageBytes else { throw .permanent("image \(name) is over WeChat's 10 MB limit") }
                steps.append(.media(type: "image", attachment))
            } else if voiceTypes.contains(type) {
                guard attachment.data.count <= maxVoiceBytes else { throw .permanent("voice \(name) is over WeChat's 2 MB limit") }
                steps.append(.media(type: "voice", attachment))
            } else {
                throw .permanent(
                    "WeChat customer-service messages carry text, JPEG/PNG images and AMR/MP3 voice; \(name) is \(type)")
            }
        }
        guard !steps.isEmpty else { throw .permanent("the reply has no text and no attachment") }
        return steps
    }

    /// The text of an HTML reply: tags dropped, the common entities decoded, breaks kept.
    static func plainText(_ html: String) -> String {
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
