import Foundation
import SwitchboardCore

/// The `links` of an agent reply, checked before anything is stored: a channel renders each as a
/// card the customer taps, so a card must open a real web address and carry a title.
///
/// Bounds follow what the channels accept: Weibo shows at most 8 articles in one card, and the
/// same 8 keep a WeChat reply to a short burst of `news` messages.
enum ReplyLinks {
    static let maxLinks = 8
    static let maxURLBytes = 2_048
    static let maxTitleBytes = 256
    static let maxDescriptionBytes = 1_024

    struct Body: Decodable {
        var url: String
        var title: String
        var description: String?
        var imageUrl: String?
    }

    static func cards(_ bodies: [Body]?) throws -> [LinkCard] {
        let bodies = bodies ?? []
        guard bodies.count <= maxLinks else {
            throw APIError.badRequest("a reply carries at most \(maxLinks) links", field: "links")
        }
        return try bodies.enumerated().map { index, body in
            let field = "links[\(index)]"
            try checkURL(body.url, field: "\(field).url")
            let title = body.title.trimmingCharacters(in: .whitespacesAndNewlines)
            try checkText(title, field: "\(field).title", maxBytes: maxTitleBytes, required: true)
            let description = body.description.flatMap { $0.isEmpty ? nil : $0 }
            if let description { try checkText(description, field: "\(field).description", maxBytes: maxDescriptionBytes) }
            let image = body.imageUrl.flatMap { $0.isEmpty ? nil : $0 }
            if let image { try checkURL(image, field: "\(field).imageUrl") }
            return LinkCard(url: body.url, title: title, description: description, imageURL: image)
        }
    }

    /// An absolute `http`/`https` address with a host, without spaces or control characters.
    private static func checkURL(_ value: String, field: String) throws {
        guard value.utf8.count <= maxURLBytes else {
            throw APIError.badRequest("\(field) is longer than \(maxURLBytes) bytes", field: field)
        }
        guard !value.unicodeScalars.contains(where: { $0.value <= 0x20 || $0.value == 0x7F }),
            let url = URL(string: value), let scheme = url.scheme?.lowercased(), ["http", "https"].contains(scheme),
            let host = url.host, !host.isEmpty
        else { throw APIError.badRequest("\(field) must be an absolute http or https URL", field: field) }
    }

    private static func checkText(_ value: String, field: String, maxBytes: Int, required: Bool = false) throws {
        if required, value.isEmpty { throw APIError.badRequest("\(field) is required", field: field) }
        guard value.utf8.count <= maxBytes else {
            throw APIError.badRequest("\(field) is longer than \(maxBytes) bytes", field: field)
        }
        guard !value.unicodeScalars.contains(where: { $0.value == 0 }) else {
            throw APIError.badRequest("\(field) contains NUL", field: field)
        }
    }
}
