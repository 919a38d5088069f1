import SwitchboardTesting
import Testing

@Suite("WeChat adapter conformance")
struct WeChatConformanceTests {
    @Test(arguments: PushAdapterConformance.checkNames)
    func conformance(_ check: String) async throws {
        try await PushAdapterConformance(harness: WeChatHarness()).run(check)
    }
}
