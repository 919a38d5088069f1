import Foundation
import GRDB
import SwitchboardCore
import SwitchboardRouting

extension SQLiteStore {
    public func saveArticle(_ article: KnowledgeArticle) async throws {
        let keywords = try SQLiteCoding.json(object: article.keywords)
        let tokens = SearchText.indexed(article.searchableText)
        try await pool.write { db in
            try db.execute(
                sql: """
                    INSERT OR REPLACE INTO kb_articles (id, title, body, keywords, category, updated_at)
                    VALUES (?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    article.id, article.title, article.body, keywords, article.category,
                    SQLiteCoding.millis(article.updatedAt),
                ])
            try db.execute(sql: "DELETE FROM kb_index WHERE article_id = ?", arguments: [article.id])
            try db.execute(sql: "INSERT INTO kb_index (article_id, tokens) VALUES (?, ?)", arguments: [article.id, tokens])
        }
    }

    public func deleteArticle(_ id: String) async throws -> Bool {
        try await pool.write { db in
            try db.execute(sql: "DELETE FROM kb_index WHERE article_id = ?", arguments: [id])
            try db.execute(sql: "DELETE FROM kb_articles WHERE id = ?", arguments: [id])
            return db.changesCount > 0
        }
    }

    public func article(_ id: String) async throws -> KnowledgeArticle? {
        try await pool.read { db in
            try Row.fetchOne(db, sql: "SELECT \(Self.articleColumns) FROM kb_articles WHERE id = ?", arguments: [id])
                .map(Self.article(from:))
        }
    }

    public func articles(category: String?, limit: Int, after: String?) async throws -> [KnowledgeArticle] {
        try await pool.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT \(Self.articleColumns) FROM kb_articles
                    WHERE (? IS NULL OR category = ?) AND (? IS NULL OR id > ?) ORDER BY id LIMIT ?
                    """, arguments: [category, category, after, after, limit]
            ).map(Self.article(from:))
        }
    }

    public func searchArticles(_ text: String, limit: Int) async throws -> [KnowledgeArticle] {
        // Tokens are letters, digits and CJK only (SearchText), so quoting them is enough.
        let tokens = Array(Set(SearchText.tokens(text))).sorted().prefix(64)
        guard !tokens.isEmpty else { return [] }
        let query = tokens.map { "\"\($0)\"" }.joined(separator: " OR ")
        return try await pool.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT \(Self.articleColumns) FROM kb_index JOIN kb_articles ON kb_articles.id = kb_index.article_id
                    WHERE kb_index MATCH ? ORDER BY bm25(kb_index) LIMIT ?
                    """, arguments: [query, limit]
            ).map(Self.article(from:))
        }
    }

    static let articleColumns =
        "kb_articles.id, kb_articles.title, kb_articles.body, kb_articles.keywords, kb_articles.category, kb_articles.updated_at"

    static func article(from row: Row) -> KnowledgeArticle {
        KnowledgeArticle(
            id: row[0], title: row[1], body: row[2], keywords: SQLiteCoding.decode([String].self, from: row[3], default: []),
            category: row[4], updatedAt: SQLiteCoding.date(row[5]))
    }
}
