import Foundation
import Metrics
import SwitchboardCore

/// Routing's metrics:
/// - `switchboard.routing.assignments{step}` — assignments by the step that chose the agent.
/// - `switchboard.routing.queued{group}` — conversations that had to wait.
/// - `switchboard.routing.wait` — seconds from queueing to assignment (histogram).
/// - `switchboard.routing.queue_length{group,level}` and `switchboard.routing.agents_online{group}` — gauges.
final class RoutingMetrics: Sendable {
    private let factory: any MetricsFactory
    private let assignments: CounterFamily
    private let queued: CounterFamily
    private let wait: Metrics.Timer

    init(factory: any MetricsFactory) {
        self.factory = factory
        assignments = CounterFamily(label: "switchboard.routing.assignments", dimensions: ["step"], factory: factory)
        queued = CounterFamily(label: "switchboard.routing.queued", dimensions: ["group"], factory: factory)
        wait = Metrics.Timer(label: "switchboard.routing.wait", dimensions: [], preferredDisplayUnit: .seconds, factory: factory)
    }

    func record(_ decision: RoutingDecision) {
        switch decision.outcome {
        case .assigned:
            assignments.increment(decision.step.rawValue)
            if let waited = decision.waitedSeconds { wait.recordNanoseconds(Int64(max(0, waited) * 1e9)) }
        case .queued:
            queued.increment(decision.group.rawValue)
        case .bot:
            assignments.increment(decision.step.rawValue)
        }
    }

    func gauges(_ state: RoutingState) {
        for group in state.groupIDs {
            for (level, length) in state.queueLengths(of: group).enumerated() {
                Gauge(
                    label: "switchboard.routing.queue_length",
                    dimensions: [("group", group.rawValue), ("level", String(level))], factory: factory
                ).record(length)
            }
            Gauge(label: "switchboard.routing.agents_online", dimensions: [("group", group.rawValue)], factory: factory)
                .record(state.onlineMembers(of: group))
        }
    }
}
