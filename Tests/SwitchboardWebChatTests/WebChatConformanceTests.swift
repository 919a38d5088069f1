import SwitchboardTesting
import Testing

@Suite("Web chat adapter conformance")
struct WebChatConformanceTests {
    @Test(arguments: PushAdapterConformance.checkNames)
    func conformance(_ check: String) async throws {
        try await PushAdapterConformance(harness: WebChatHarness()).run(check)
    }
}
