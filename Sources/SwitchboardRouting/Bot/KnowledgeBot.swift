import Foundation

/// The bot of the bot-first, human-first and bot-only reception modes: it answers from the
/// knowledge base and knows when a customer wants a person.
public struct KnowledgeBot: Sendable {
    /// `routing.bot` settings.
    public struct Settings: Sendable, Hashable {
        /// Phrases that ask for a person. Latin-script phrases match whole words ("agent" does not
        /// match "agenda"); CJK phrases match anywhere ("我要转人工" contains "人工").
        public var handoverPhrases: [String] = ["人工", "转人工", "agent", "human", "person", "operator"]
        /// The score (0-1, see ``Answer/score``) an article needs to be given as the answer.
        public var threshold: Double = 0.5
        /// Said when handing over to a person.
        public var handoverText: String = "Let me connect you with a person."
        /// Said in bot-only mode when nothing matched.
        public var noAnswerText: String = "Sorry, I could not find an answer to that. Please try other words."
        /// Said in bot-only mode when the customer asks for a person.
        public var botOnlyText: String = "This channel is answered automatically; no person is available here."

        public init() {}
    }

    public let settings: Settings

    public init(settings: Settings = Settings()) { self.settings = settings }

    /// Whether the message asks for a person.
    public func asksForPerson(_ text: String) -> Bool {
        let lowered = text.lowercased()
        let words = Set(SearchText.tokens(lowered))
        return settings.handoverPhrases.contains { phrase in
            let phrase = phrase.lowercased()
            if phrase.contains(where: SearchText.isCJK) { return lowered.contains(phrase) }
            let phraseWords = SearchText.tokens(phrase)
            return !phraseWords.isEmpty && phraseWords.allSatisfy(words.contains)
        }
    }

    /// A scored answer.
    public struct Answer: Sendable, Hashable {
        public var article: KnowledgeArticle
        /// 1 when a keyword of the article is in the message; else the larger of the share of
        /// the message's tokens found in the article and the share of the title's tokens found
        /// in the message.
        public var score: Double
    }

    /// The best of `candidates` for `text`, if it reaches the threshold.
    public func answer(_ text: String, candidates: [KnowledgeArticle]) -> Answer? {
        let lowered = text.lowercased()
        let queryTokens = Set(SearchText.tokens(lowered))
        guard !queryTokens.isEmpty else { return nil }
        var best: Answer?
        for article in candidates {
            let score: Double
            if article.keywords.contains(where: { lowered.contains($0.lowercased()) }) {
                score = 1
            } else {
                // How much of the message the article covers, or how much of the article's title
                // the message covers ("how long does shipping take" → "Shipping times"), whichever is more.
                let articleTokens = Set(SearchText.tokens(article.searchableText))
                let titleTokens = Set(SearchText.tokens(article.title))
                let messageCovered = Double(queryTokens.intersection(articleTokens).count) / Double(queryTokens.count)
                let titleCovered =
                    titleTokens.isEmpty ? 0 : Double(titleTokens.intersection(queryTokens).count) / Double(titleTokens.count)
                score = max(messageCovered, titleCovered)
            }
            if score > (best?.score ?? -1) { best = Answer(article: article, score: score) }
        }
        guard let best, best.score >= settings.threshold else { return nil }
        return best
    }
}

/// How a conversation is received: by the bot, by people, or the bot first.
public enum ReceptionMode: String, Sendable, Hashable, Codable, CaseIterable {
    /// The bot answers; a person takes over when asked or when the bot has no answer.
    case botFirst = "bot-first"
    /// People answer; the bot stands in when nobody in the group is online or it is closed.
    case humanFirst = "human-first"
    /// Only the bot answers.
    case botOnly = "bot-only"
    /// Only people answer (the conversation waits in the queue when nobody is free).
    case humanOnly = "human-only"
}
