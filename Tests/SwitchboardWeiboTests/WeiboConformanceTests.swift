import SwitchboardTesting
import Testing

@Suite("Weibo adapter conformance")
struct WeiboConformanceTests {
    @Test(arguments: PushAdapterConformance.checkNames)
    func conformance(_ check: String) async throws {
        try await PushAdapterConformance(harness: WeiboHarness()).run(check)
    }
}
