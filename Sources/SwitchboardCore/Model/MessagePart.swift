import Foundation

/// One typed piece of a message beyond its text and HTML bodies.
///
/// Encoded as a JSON object with a `type` discriminator so new part types can be added without
/// breaking stored rows: an unknown `type` decodes as ``unknown(type:)``.
public enum MessagePart: Sendable, Hashable, Codable {
    case image(Attachment)
    case voice(Attachment)
    case location(latitude: Double, longitude: Double, label: String?)
    /// A shared link or a link card (see ``LinkCard``).
    case link(LinkCard)
    case event(name: String, fields: [String: String])
    case callRecord(CallRecord)
    /// Media the channel holds and we only reference (a WeChat image or voice by `MediaId`).
    case media(RemoteMedia)
    case unknown(type: String)

    private enum Key: String, CodingKey {
        case type, attachment, latitude, longitude, label, url, title, description, imageURL, name, fields, call, media
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Key.self)
        let type = try container.decode(String.self, forKey: .type)
        switch type {
        case "image": self = .image(try container.decode(Attachment.self, forKey: .attachment))
        case "voice": self = .voice(try container.decode(Attachment.self, forKey: .attachment))
        case "location":
            self = .location(
                latitude: try container.decode(Double.self, forKey: .latitude),
                longitude: try container.decode(Double.self, forKey: .longitude),
                label: try container.decodeIfPresent(String.self, forKey: .label))
        case "link":
            // The card's fields sit beside `type`, as the first link parts were stored (url, title).
            self = .link(
                LinkCard(
                    url: try container.decode(String.self, forKey: .url),
                    title: try container.decodeIfPresent(String.self, forKey: .title),
                    description: try container.decodeIfPresent(String.self, forKey: .description),
                    imageURL: try container.decodeIfPresent(String.self, forKey: .imageURL)))
        case "event":
            self = .event(
                name: try container.decode(String.self, forKey: .name),
                fields: try container.decodeIfPresent([String: String].self, forKey: .fields) ?? [:])
        case "call": self = .callRecord(try container.decode(CallRecord.self, forKey: .call))
        case "media": self = .media(try container.decode(RemoteMedia.self, forKey: .media))
        default: self = .unknown(type: type)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Key.self)
        switch self {
        case .image(let attachment):
            try container.encode("image", forKey: .type)
            try container.encode(attachment, forKey: .attachment)
        case .voice(let attachment):
            try container.encode("voice", forKey: .type)
            try container.encode(attachment, forKey: .attachment)
        case .location(let latitude, let longitude, let label):
            try container.encode("location", forKey: .type)
            try container.encode(latitude, forKey: .latitude)
            try container.encode(longitude, forKey: .longitude)
            try container.encodeIfPresent(label, forKey: .label)
        case .link(let card):
            try container.encode("link", forKey: .type)
            try container.encode(card.url, forKey: .url)
            try container.encodeIfPresent(card.title, forKey: .title)
            try container.encodeIfPresent(card.description, forKey: .description)
            try container.encodeIfPresent(card.imageURL, forKey: .imageURL)
        case .event(let name, let fields):
            try container.encode("event", forKey: .type)
            try container.encode(name, forKey: .name)
            try container.encode(fields, forKey: .fields)
        case .callRecord(let record):
            try container.encode("call", forKey: .type)
            try container.encode(record, forKey: .call)
        case .media(let media):
            try container.encode("media", forKey: .type)
            try container.encode(media, forKey: .media)
        case .unknown(let type):
            try container.encode(type, forKey: .type)
        }
    }
}

/// A picture, voice note or video that stays on the channel's servers: what the channel told us
/// about it, so an agent (or a later fetch through the channel's media API) can reach it.
///
/// Channels such as WeChat deliver media by reference (`MediaId`, a URL) rather than inline, and
/// the reference expires on their side (WeChat: 3 days); the message keeps it as received.
public struct RemoteMedia: Sendable, Hashable, Codable {
    /// `image`, `voice`, `video`, `shortvideo`, `file`, … as the channel names it.
    public var kind: String
    /// The channel's id for the media (WeChat `MediaId`).
    public var mediaID: String?
    /// A URL the channel gave for it (WeChat `PicUrl`).
    public var url: String?
    /// The channel's id for a thumbnail (WeChat `ThumbMediaId`).
    public var thumbnailMediaID: String?
    /// The encoding the channel named (`amr`, `speex`), if any.
    public var format: String?
    /// Speech recognized by the channel for a voice note (WeChat `Recognition`).
    public var recognition: String?

    public init(
        kind: String, mediaID: String? = nil, url: String? = nil, thumbnailMediaID: String? = nil, format: String? = nil,
        recognition: String? = nil
    ) {
        self.kind = kind
        self.mediaID = mediaID
        self.url = url
        self.thumbnailMediaID = thumbnailMediaID
        self.format = format
        self.recognition = recognition
    }
}

/// A phone call as a PBX reported it.
public struct CallRecord: Sendable, Hashable, Codable {
    public enum Disposition: String, Sendable, Hashable, Codable {
        case answered, noAnswer = "no-answer", busy, failed
    }

    public var caller: String
    public var callee: String
    public var startedAt: Date
    public var answeredAt: Date?
    public var endedAt: Date?
    public var durationSeconds: Int
    public var billableSeconds: Int
    public var disposition: Disposition
    public var queue: String?
    public var agentExtension: String?
    public var recording: String?

    public init(
        caller: String, callee: String, startedAt: Date, answeredAt: Date?, endedAt: Date?, durationSeconds: Int,
        billableSeconds: Int, disposition: Disposition, queue: String? = nil, agentExtension: String? = nil,
        recording: String? = nil
    ) {
        self.caller = caller
        self.callee = callee
        self.startedAt = startedAt
        self.answeredAt = answeredAt
        self.endedAt = endedAt
        self.durationSeconds = durationSeconds
        self.billableSeconds = billableSeconds
        self.disposition = disposition
        self.queue = queue
        self.agentExtension = agentExtension
        self.recording = recording
    }
}
