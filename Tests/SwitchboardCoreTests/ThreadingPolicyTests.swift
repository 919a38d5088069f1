import Foundation
import SwitchboardCore
import Testing

@Suite("Threading policy")
struct ThreadingPolicyTests {
    let policy = ThreadingPolicy(inactivityWindow: 1800)
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    func candidate(_ status: ConversationStatus, quietFor seconds: TimeInterval) -> ThreadingPolicy.Candidate {
        .init(id: ConversationID("c1"), number: 7, status: status, lastActivityAt: now.addingTimeInterval(-seconds))
    }

    @Test("no prior conversation starts one")
    func noPrior() {
        #expect(policy.decide(latest: nil, at: now) == .startNew(.noPriorConversation))
    }

    @Test("an open conversation within the window continues", arguments: ConversationStatus.allCases.filter(\.isOpen))
    func continues(status: ConversationStatus) {
        #expect(policy.decide(latest: candidate(status, quietFor: 1799), at: now) == .continueConversation(ConversationID("c1"), number: 7))
        #expect(policy.decide(latest: candidate(status, quietFor: 1800), at: now) == .continueConversation(ConversationID("c1"), number: 7))
    }

    @Test("the window elapsing starts a new conversation")
    func elapsed() {
        #expect(policy.decide(latest: candidate(.assigned, quietFor: 1801), at: now) == .startNew(.inactivityWindowElapsed))
    }

    @Test("a closed conversation is never continued, even a second later")
    func closed() {
        #expect(policy.decide(latest: candidate(.closed, quietFor: 1), at: now) == .startNew(.lastConversationClosed))
    }

    @Test("the default window is 30 minutes")
    func defaultWindow() {
        #expect(ThreadingPolicy().inactivityWindow == 1800)
    }
}

@Suite("Threading with hints")
struct HintedThreadingTests {
    let policy = ThreadingPolicy(inactivityWindow: 60)
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    func candidate(_ status: ConversationStatus, idle: TimeInterval) -> ThreadingPolicy.Candidate {
        ThreadingPolicy.Candidate(id: ConversationID("c"), number: 7, status: status, lastActivityAt: now.addingTimeInterval(-idle))
    }

    @Test("an open replied-to conversation continues however old; a closed one starts anew")
    func hinted() {
        #expect(
            policy.decide(hinted: candidate(.assigned, idle: 86_400 * 30), latest: nil, byInactivityWindow: false, at: now)
                == .continueConversation(ConversationID("c"), number: 7))
        #expect(
            policy.decide(hinted: candidate(.closed, idle: 10), latest: nil, byInactivityWindow: true, at: now)
                == .startNew(.repliedConversationClosed))
    }

    @Test("without a hint: the window for chat, a new conversation for mail")
    func unhinted() {
        let recent = candidate(.queued, idle: 10)
        #expect(policy.decide(hinted: nil, latest: recent, byInactivityWindow: true, at: now) == .continueConversation(ConversationID("c"), number: 7))
        #expect(policy.decide(hinted: nil, latest: recent, byInactivityWindow: false, at: now) == .startNew(.notAReply))
    }
}
