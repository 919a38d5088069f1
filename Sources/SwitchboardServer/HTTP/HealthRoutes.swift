import Foundation
import Hummingbird
import Prometheus
import SwitchboardStore

/// `/healthz` (the process answers), `/readyz` (the store answers) and `/metrics` (Prometheus).
struct HealthRoutes: Sendable {
    static let healthy = Data(#"{"status":"ok"}"#.utf8)
    let store: any GatewayStore
    let registry: PrometheusCollectorRegistry

    func register(on router: Router<BasicRequestContext>) {
        // A constant answer: this is also the "no-op route" the ingest benchmark compares against.
        router.get("healthz") { _, _ in
            HTTPResponses.raw(200, body: Self.healthy, headers: [(name: "Content-Type", value: "application/json")])
        }
        router.get("readyz") { _, context in
            do {
                try await store.ping()
                return HTTPResponses.json(200, ["status": "ready"])
            } catch {
                context.logger.warning("readiness check failed", metadata: ["sb.error": "\(error)"])
                return HTTPResponses.json(503, ["status": "store unavailable"])
            }
        }
        router.get("metrics") { _, _ in
            HTTPResponses.raw(
                200, body: Data(registry.emitToBuffer()),
                headers: [(name: "Content-Type", value: "text/plain; version=0.0.4; charset=utf-8")])
        }
    }
}
