import SwitchboardCore

/// The channels that can deliver replies, as the places that create replies need them: whether a
/// reply on a channel is queued for delivery, and the id the channel gives it (an email
/// Message-ID), decided once when the reply is stored.
struct OutboundChannels: Sendable {
    private let adapters: [ChannelID: any OutboundChannelAdapter]

    init(_ adapters: [any ChannelAdapter]) {
        var deliverable: [ChannelID: any OutboundChannelAdapter] = [:]
        for case let adapter as any OutboundChannelAdapter in adapters where adapter.canDeliver { deliverable[adapter.id] = adapter }
        self.adapters = deliverable
    }

    var ids: Set<ChannelID> { Set(adapters.keys) }

    func canDeliver(_ channel: ChannelID) -> Bool { adapters[channel] != nil }

    /// A new reply's id and, when the channel names its replies, its external id.
    func newReply(on channel: ChannelID) -> (id: MessageID, externalID: String?) {
        let id = MessageID.generate()
        return (id, adapters[channel]?.replyExternalID(for: id))
    }
}
