import Foundation

/// Limits every contact is held to, whatever its channel.
public enum ContactLimits {
    public static let maxExternalIDBytes = 255
    public static let maxHandleValueBytes = 512
    public static let maxLinkedHandles = 8
    public static let maxNameBytes = 512
    public static let maxAttachments = 100
    public static let maxAttributeCount = 100
    public static let maxAttributeKeyBytes = 64
    public static let maxAttributeValueBytes = 4096
    public static let maxURLBytes = 4096
}

extension InboundContact {
    /// Checks the contact against the model's rules, throwing the first problem with its field.
    public func validate() throws(ValidationError) {
        try Self.checkIdentifier(externalID, field: "id", maxBytes: ContactLimits.maxExternalIDBytes)
        guard !sender.kind.isEmpty else { throw ValidationError(field: "sender.kind", reason: "is empty") }
        try Self.checkIdentifier(sender.value, field: "sender", maxBytes: ContactLimits.maxHandleValueBytes)
        guard linkedHandles.count <= ContactLimits.maxLinkedHandles else {
            throw ValidationError(field: "linkedHandles", reason: "has more than \(ContactLimits.maxLinkedHandles) entries")
        }
        for (index, handle) in linkedHandles.enumerated() {
            guard !handle.kind.isEmpty else { throw ValidationError(field: "linkedHandles[\(index)].kind", reason: "is empty") }
            try Self.checkIdentifier(handle.value, field: "linkedHandles[\(index)]", maxBytes: ContactLimits.maxHandleValueBytes)
        }
        if let senderName { try Self.checkText(senderName, field: "name", maxBytes: ContactLimits.maxNameBytes) }
        let hasText = !(text ?? "").isEmpty || !(html ?? "").isEmpty
        guard hasText || !attachments.isEmpty || !parts.isEmpty else {
            throw ValidationError(field: "text", reason: "is required when there are no attachments")
        }
        for (index, part) in parts.enumerated() { try Self.checkPart(part, field: "parts[\(index)]") }
        guard attachments.count <= ContactLimits.maxAttachments else {
            throw ValidationError(field: "attachments", reason: "has more than \(ContactLimits.maxAttachments) entries")
        }
        for (index, attachment) in attachments.enumerated() {
            let field = "attachments[\(index)]"
            guard !attachment.data.isEmpty else { throw ValidationError(field: "\(field).data", reason: "is empty") }
            try Self.checkText(attachment.name, field: "\(field).name", maxBytes: 1024)
            try Self.checkText(attachment.contentType, field: "\(field).contentType", maxBytes: 255)
        }
        if let vipLevel = routing.vipLevel, !Customer.vipLevels.contains(vipLevel) {
            throw ValidationError(field: "vipLevel", reason: "must be between 0 and 10")
        }
        for (value, field) in [(routing.sourcePage, "page"), (routing.referrer, "referrer"), (routing.keyword, "keyword")] {
            if let value { try Self.checkText(value, field: field, maxBytes: ContactLimits.maxURLBytes) }
        }
        guard customerAttributes.count <= ContactLimits.maxAttributeCount else {
            throw ValidationError(field: "attributes", reason: "has more than \(ContactLimits.maxAttributeCount) keys")
        }
        for (key, value) in customerAttributes {
            guard !key.isEmpty, key.utf8.count <= ContactLimits.maxAttributeKeyBytes else {
                throw ValidationError(field: "attributes", reason: "has a key that is empty or longer than 64 bytes")
            }
            try Self.checkText(value, field: "attributes.\(key)", maxBytes: ContactLimits.maxAttributeValueBytes)
        }
    }

    /// The strings inside a typed part: bounded, without NUL.
    static func checkPart(_ part: MessagePart, field: String) throws(ValidationError) {
        var texts: [(String?, String)] = []
        switch part {
        case .location(let latitude, let longitude, let label):
            guard latitude.isFinite, longitude.isFinite, abs(latitude) <= 90, abs(longitude) <= 180 else {
                throw ValidationError(field: field, reason: "has a location outside the globe")
            }
            texts = [(label, "label")]
        case .link(let card):
            texts = [(card.url, "url"), (card.title, "title"), (card.description, "description"), (card.imageURL, "imageURL")]
        case .event(let name, let fields): texts = [(name, "name")] + fields.map { ($0.value, "fields.\($0.key)") }
        case .media(let media):
            texts = [
                (media.kind, "kind"), (media.mediaID, "mediaID"), (media.url, "url"), (media.thumbnailMediaID, "thumbnailMediaID"),
                (media.format, "format"), (media.recognition, "recognition"),
            ]
        case .image, .voice, .callRecord, .unknown: return
        }
        for (value, name) in texts {
            if let value { try checkText(value, field: "\(field).\(name)", maxBytes: ContactLimits.maxAttributeValueBytes) }
        }
    }

    /// An id: non-empty, bounded, without control characters.
    public static func checkIdentifier(_ value: String, field: String, maxBytes: Int) throws(ValidationError) {
        guard !value.isEmpty else { throw ValidationError(field: field, reason: "is required") }
        guard value.utf8.count <= maxBytes else {
            throw ValidationError(field: field, reason: "is longer than \(maxBytes) bytes")
        }
        guard !value.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else {
            throw ValidationError(field: field, reason: "contains control characters")
        }
    }

    /// Free text: bounded, without NUL.
    public static func checkText(_ value: String, field: String, maxBytes: Int) throws(ValidationError) {
        guard value.utf8.count <= maxBytes else {
            throw ValidationError(field: field, reason: "is longer than \(maxBytes) bytes")
        }
        guard !value.unicodeScalars.contains(where: { $0.value == 0 }) else {
            throw ValidationError(field: field, reason: "contains a NUL character")
        }
    }
}
