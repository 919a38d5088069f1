import Foundation
import SwitchboardCore

/// How an agent reply becomes customer-service messages: the text first, then each link card as
/// a `news` message, then each attachment WeChat can carry (JPEG/PNG images, AMR/MP3 voice) as an
/// uploaded media message. A reply with an attachment WeChat cannot carry fails as a whole before
/// anything is sent.
enum WeChatReplyPlan {
    enum Step: Sendable {
        case text(String)
        case news(LinkCard)
        case media(type: String, OutboundAttachment)
    }

    static let imageTypes: Set<String> = ["image/jpeg", "image/jpg", "image/png"]
    static let voiceTypes: Set<String> = ["audio/amr", "audio/mpeg", "audio/mp3"]
    /// WeChat's upload limits for temporary media.
    static let maxImageBytes = 10 << 20
    static let maxVoiceBytes = 2 << 20

    static func steps(for delivery: OutboundDelivery) throws(DeliveryError) -> [Step] {
        var steps: [Step] = []
        let text = delivery.message.text.flatMap { $0.isEmpty ? nil : $0 } ?? delivery.message.html.map(HTMLPlainText.text(of:))
        if let text, !text.isEmpty { steps.append(.text(text)) }
        steps += delivery.message.links.map(Step.news)
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
        guard !steps.isEmpty else { throw .permanent("the reply has no text, link or attachment") }
        return steps
    }
}
