import Foundation

/// One typed piece of a message beyond its text and HTML bodies.
///
/// Encoded as a JSON object with a `type` discriminator so new part types can be added without
/// breaking stored rows: an unknown `type` decodes as ``unknown(type:)``.
public enum MessagePart: Sendable, Hashable, Codable {
    case image(Attachment)
    case voice(Attachment)
    case location(latitude: Double, longitude: Double, label: String?)
    case link(url: String, title: String?)
    case event(name: String, fields: [String: String])
    case callRecord(CallRecord)
    case unknown(type: String)

    private enum Key: String, CodingKey {
        case type, attachment, latitude, longitude, label, url, title, name, fields, call
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
            self = .link(
                url: try container.decode(String.self, forKey: .url),
                title: try container.decodeIfPresent(String.self, forKey: .title))
        case "event":
            self = .event(
                name: try container.decode(String.self, forKey: .name),
                fields: try container.decodeIfPresent([String: String].self, forKey: .fields) ?? [:])
        case "call": self = .callRecord(try container.decode(CallRecord.self, forKey: .call))
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
        case .link(let url, let title):
            try container.encode("link", forKey: .type)
            try container.encode(url, forKey: .url)
            try container.encodeIfPresent(title, forKey: .title)
        case .event(let name, let fields):
            try container.encode("event", forKey: .type)
            try container.encode(name, forKey: .name)
            try container.encode(fields, forKey: .fields)
        case .callRecord(let record):
            try container.encode("call", forKey: .type)
            try container.encode(record, forKey: .call)
        case .unknown(let type):
            try container.encode(type, forKey: .type)
        }
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
