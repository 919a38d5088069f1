import SwitchboardCore

/// The account's API access token, fetched once and shared by every delivery.
///
/// WeChat issues one token per AppID and invalidates the previous one when a new one is fetched,
/// so concurrent deliveries must never fetch in parallel: callers that find no valid token wait
/// for the single fetch in flight. A token is refreshed ahead of its expiry (5 minutes, or half
/// its lifetime if that is shorter) and when the API rejects it (``invalidate(_:)``).
public actor WeChatAccessTokenCache {
    /// A token and how long WeChat said it lives.
    public struct Issued: Sendable, Hashable {
        public var token: String
        public var lifetime: Duration
        public init(token: String, lifetime: Duration) {
            self.token = token
            self.lifetime = lifetime
        }
    }

    public typealias Fetch = @Sendable () async throws(DeliveryError) -> Issued

    private let fetch: Fetch
    private let clock = ContinuousClock()
    private var current: (token: String, refreshAt: ContinuousClock.Instant)?
    private var inFlight: Task<Result<Issued, DeliveryError>, Never>?
    /// How many fetches were made (for metrics and tests).
    public private(set) var fetches = 0

    public init(fetch: @escaping Fetch) {
        self.fetch = fetch
    }

    /// A valid token, fetching one if there is none or it is due for refresh.
    public func token() async throws(DeliveryError) -> String {
        if let current, clock.now < current.refreshAt { return current.token }
        return try await refresh()
    }

    /// Drops `token` after the API rejected it (unless a newer one already replaced it).
    public func invalidate(_ token: String) {
        if current?.token == token { current = nil }
    }

    private func refresh() async throws(DeliveryError) -> String {
        let task: Task<Result<Issued, DeliveryError>, Never>
        if let inFlight {
            task = inFlight
        } else {
            let fetch = self.fetch
            task = Task {
                do throws(DeliveryError) {
                    return .success(try await fetch())
                } catch {
                    return .failure(error)
                }
            }
            inFlight = task
            fetches += 1
        }
        let result = await task.value
        if inFlight == task {
            inFlight = nil
            if case .success(let issued) = result {
                let margin = min(Duration.seconds(300), issued.lifetime / 2)
                current = (issued.token, clock.now + issued.lifetime - margin)
            }
        }
        return try result.get().token
    }
}
