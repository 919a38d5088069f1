import Foundation
import SwitchboardCore

/// One answer the bot can give: a title, a body, keywords that make it match outright, and a
/// category for organising the knowledge base.
public struct KnowledgeArticle: Sendable, Hashable, Codable {
    public var id: String
    public var title: String
    public var body: String
    public var keywords: [String]
    public var category: String?
    public var updatedAt: Date

    public init(id: String, title: String, body: String, keywords: [String] = [], category: String? = nil, updatedAt: Date) {
        self.id = id
        self.title = title
        self.body = body
        self.keywords = keywords
        self.category = category
        self.updatedAt = updatedAt
    }

    public func validate() throws(ValidationError) {
        try InboundContact.checkIdentifier(id, field: "id", maxBytes: 128)
        try InboundContact.checkIdentifier(title, field: "title", maxBytes: 500)
        guard !body.isEmpty else { throw ValidationError(field: "body", reason: "is required") }
        try InboundContact.checkText(body, field: "body", maxBytes: 64 * 1024)
        guard keywords.count <= 100, keywords.allSatisfy({ !$0.isEmpty && $0.utf8.count <= 100 }) else {
            throw ValidationError(field: "keywords", reason: "must be at most 100 non-empty keywords of at most 100 bytes")
        }
        if let category { try InboundContact.checkIdentifier(category, field: "category", maxBytes: 100) }
    }

    /// Everything the index searches.
    public var searchableText: String { ([title, body] + keywords).joined(separator: "\n") }
}

/// Where articles are kept and searched.
public protocol KnowledgeStore: Sendable {
    /// Inserts or replaces an article (by id) and its index entry.
    func saveArticle(_ article: KnowledgeArticle) async throws
    /// Removes an article; false when there was none.
    func deleteArticle(_ id: String) async throws -> Bool
    func article(_ id: String) async throws -> KnowledgeArticle?
    /// Articles by id, optionally of one category.
    func articles(category: String?, limit: Int, after: String?) async throws -> [KnowledgeArticle]
    /// Articles sharing tokens (``SearchText``) with `text`, best first, at most `limit`.
    func searchArticles(_ text: String, limit: Int) async throws -> [KnowledgeArticle]
}
