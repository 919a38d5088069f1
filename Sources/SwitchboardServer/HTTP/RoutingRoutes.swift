import Foundation
import Hummingbird
import SwitchboardCore
import SwitchboardRouting
import SwitchboardStore

/// The routing API under `/api/v1`: agents and groups (admin), presence (the agent themself or
/// an admin), rules (admin), and a conversation's routing history, queue position and transfer
/// (agent).
struct RoutingRoutes: Sendable {
    let store: any GatewayStore
    let engine: RoutingEngine
    let authenticator: Authenticator
    /// Called after rules or groups change, so conversations they could not route are tried again.
    let definitionsChanged: @Sendable () -> Void
    /// Whether the rules come from the configuration file (then the API cannot change them).
    let rulesFromConfiguration: Bool
    let maxBodyBytes: Int

    func register(on router: Router<BasicRequestContext>) {
        let api = router.group("api/v1")
        api.get("agents") { request, _ in
            try await authenticator.require(.integration, request)
            return HTTPResponses.json(200, RoutingResources.List(items: await engine.agents().map(RoutingResources.AgentResource.init)))
        }
        api.post("agents") { request, _ in try await createAgent(request) }
        api.get("agents/:id") { request, context in
            try await authenticator.require(.integration, request)
            return HTTPResponses.json(200, RoutingResources.AgentResource(view: try await agent(context)))
        }
        api.patch("agents/:id") { request, context in try await patchAgent(request, context) }
        api.delete("agents/:id") { request, context in
            try await authenticator.require(.admin, request)
            let id = try await agent(context).agent.id
            _ = try await engine.removeAgent(id)
            return Response(status: .noContent)
        }
        api.put("agents/:id/presence") { request, context in
            let caller = try await authenticator.require(.agent, request)
            let id = try await agent(context).agent.id
            // An agent token (named after the agent) sets its own presence; an admin anyone's.
            guard caller.scope == .admin || caller.name == id.rawValue else {
                throw APIError(403, "an agent token may set only its own presence (token name '\(caller.name)')")
            }
            let body = try await request.decodeJSON(RoutingResources.PresenceRequest.self, limit: maxBodyBytes)
            _ = try await engine.setPresence(body.status, of: id)
            return HTTPResponses.json(200, RoutingResources.AgentResource(view: try await agent(context)))
        }
        api.get("groups") { request, _ in
            try await authenticator.require(.integration, request)
            return HTTPResponses.json(200, RoutingResources.List(items: await engine.groups().map(RoutingResources.GroupResource.init)))
        }
        api.post("groups") { request, _ in
            try await authenticator.require(.admin, request)
            let group = try await request.decodeJSON(RoutingGroup.self, limit: maxBodyBytes)
            guard await engine.group(group.id) == nil else { throw APIError(409, "group '\(group.id)' already exists") }
            _ = try await engine.putGroup(group)
            definitionsChanged()
            return HTTPResponses.json(201, RoutingResources.GroupResource(group: group))
        }
        api.get("groups/:id") { request, context in
            try await authenticator.require(.integration, request)
            return HTTPResponses.json(200, RoutingResources.GroupResource(group: try await group(context)))
        }
        api.patch("groups/:id") { request, context in
            try await authenticator.require(.admin, request)
            let current = try await group(context)
            let updated = try await patched(current, with: request, keeping: current.id)
            _ = try await engine.putGroup(updated)
            return HTTPResponses.json(200, RoutingResources.GroupResource(group: updated))
        }
        api.delete("groups/:id") { request, context in
            try await authenticator.require(.admin, request)
            try await engine.removeGroup(try await group(context).id)
            return Response(status: .noContent)
        }
        api.get("routing/rules") { request, _ in
            try await authenticator.require(.integration, request)
            let rules = await engine.currentRules?.rules ?? []
            return HTTPResponses.json(
                200, RoutingResources.RulesBody(rules: rules, source: rulesFromConfiguration ? "config" : "api"))
        }
        api.put("routing/rules") { request, _ in
            try await authenticator.require(.admin, request)
            guard !rulesFromConfiguration else {
                throw APIError(409, "the rules are set in the configuration file (routing.rules); edit them there")
            }
            let body = try await request.decodeJSON(RoutingResources.RulesBody.self, limit: maxBodyBytes)
            let book = try RuleBook(body.rules)  // a ValidationError answers 400 with its field
            try await store.saveRoutingRules(body.rules)
            await engine.setRules(book)
            definitionsChanged()
            return HTTPResponses.json(200, RoutingResources.RulesBody(rules: body.rules, source: "api"))
        }
        api.get("conversations/:id/routing") { request, context in
            try await authenticator.require(.integration, request)
            let conversation = try await conversation(context)
            let decisions = try await store.routingDecisions(for: conversation.id)
            return HTTPResponses.json(
                200,
                RoutingResources.RoutingResource(
                    conversationId: conversation.id, status: conversation.status, assignee: conversation.assignee,
                    group: conversation.group, queueLevel: conversation.queueLevel, decisions: decisions))
        }
        api.get("conversations/:id/queue") { request, context in
            try await authenticator.require(.integration, request)
            let conversation = try await conversation(context)
            guard let position = await engine.queuePosition(of: conversation.id) else {
                throw APIError(404, "conversation \(conversation.number) is not waiting in a queue (status \(conversation.status.rawValue))")
            }
            return HTTPResponses.json(
                200, RoutingResources.QueueResource(group: position.group, level: position.level, ahead: position.ahead))
        }
        api.post("conversations/:id/transfer") { request, context in
            let caller = try await authenticator.require(.agent, request)
            let conversation = try await conversation(context)
            let body = try await request.decodeJSON(RoutingResources.TransferRequest.self, limit: maxBodyBytes)
            let target: RoutingState.TransferTarget
            switch (body.agent, body.group) {
            case (let agent?, nil): target = .agent(agent)
            case (nil, let group?): target = .group(group)
            default: throw APIError.badRequest("give exactly one of agent or group", field: "agent")
            }
            if body.force == true && caller.scope != .admin {
                throw APIError(403, "only an admin token may force a transfer past capacity or presence")
            }
            if let note = body.note, note.utf8.count > 2000 {
                throw APIError.badRequest("note is longer than 2000 bytes", field: "note")
            }
            let decisions = try await engine.transfer(
                conversation.id, to: target, force: body.force ?? false, note: body.note.map { "\($0) (by \(caller.name))" })
            return HTTPResponses.json(200, RoutingResources.TransferResult(decision: decisions.first))
        }
    }

    private func createAgent(_ request: Request) async throws -> Response {
        try await authenticator.require(.admin, request)
        let body = try await request.decodeJSON(RoutingResources.AgentRequest.self, limit: maxBodyBytes)
        guard await engine.agent(body.agent.id) == nil else { throw APIError(409, "agent '\(body.agent.id)' already exists") }
        for (index, group) in (body.groups ?? []).enumerated() where await engine.group(group) == nil {
            throw APIError.badRequest("groups[\(index)] names no group '\(group)'", field: "groups[\(index)]")
        }
        _ = try await engine.putAgent(body.agent)
        try await setMemberships(of: body.agent.id, to: body.groups ?? [])
        guard let view = await engine.agent(body.agent.id) else { throw APIError.notFound("agent \(body.agent.id) not found") }
        return HTTPResponses.json(201, RoutingResources.AgentResource(view: view))
    }

    private func patchAgent(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        try await authenticator.require(.admin, request)
        let current = try await agent(context)
        let buffer = try await request.body.collect(upTo: maxBodyBytes)
        let patch = try decodePatch(Data(buffer: buffer))
        let updated = try Self.apply(patch, to: current.agent, keeping: current.agent.id)
        if case .map(let fields) = patch, let groups = fields["groups"] {
            let wanted = try Self.decodeJSON([GroupID].self, from: groups, field: "groups")
            for (index, group) in wanted.enumerated() where await engine.group(group) == nil {
                throw APIError.badRequest("groups[\(index)] names no group '\(group)'", field: "groups[\(index)]")
            }
            _ = try await engine.putAgent(updated)
            try await setMemberships(of: updated.id, to: wanted)
        } else {
            _ = try await engine.putAgent(updated)
        }
        return HTTPResponses.json(200, RoutingResources.AgentResource(view: try await agent(context)))
    }

    /// Puts the agent in exactly these groups: appended to the member order of new ones, removed
    /// from the others.
    private func setMemberships(of agent: AgentID, to wanted: [GroupID]) async throws {
        let wantedSet = Set(wanted)
        for group in await engine.groups() {
            let isMember = group.members.contains(agent)
            guard isMember != wantedSet.contains(group.id) else { continue }
            var changed = group
            if isMember { changed.members.removeAll { $0 == agent } } else { changed.members.append(agent) }
            _ = try await engine.putGroup(changed)
        }
    }

    private func patched(_ group: RoutingGroup, with request: Request, keeping id: GroupID) async throws -> RoutingGroup {
        let buffer = try await request.body.collect(upTo: maxBodyBytes)
        return try Self.apply(try decodePatch(Data(buffer: buffer)), to: group, keeping: id)
    }

    private func decodePatch(_ data: Data) throws -> ConfigValue {
        try JSONText.refuseNUL(data)
        guard let patch = try? JSONDecoder().decode(ConfigValue.self, from: data), case .map = patch else {
            throw APIError.badRequest("body must be a JSON object of the fields to change")
        }
        return patch
    }

    /// `value` with a merge patch applied; the id cannot change.
    static func apply<T: Codable>(_ patch: ConfigValue, to value: T, keeping id: some Encodable) throws -> T {
        let current = try JSONDecoder().decode(ConfigValue.self, from: try JSONEncoder().encode(value))
        var merged = current.merging(patch: patch)
        if case .map(var fields) = merged {
            fields["groups"] = nil
            fields["id"] = try JSONDecoder().decode(ConfigValue.self, from: try JSONEncoder().encode(id))
            merged = .map(fields)
        }
        return try decodeJSON(T.self, from: merged, field: nil)
    }

    static func decodeJSON<T: Decodable>(_ type: T.Type, from value: ConfigValue, field: String?) throws -> T {
        do {
            return try JSONDecoder().decode(type, from: try JSONEncoder().encode(value))
        } catch {
            let problem = DecodingProblem.describe(error)
            let path = [field, problem.field].compactMap { $0 }.joined(separator: ".")
            throw APIError.badRequest("\(path.isEmpty ? "body" : path) \(problem.message)", field: path.isEmpty ? nil : path)
        }
    }

    private func agent(_ context: BasicRequestContext) async throws -> AgentView {
        let id = try context.parameters.require("id")
        guard let view = await engine.agent(AgentID(id)) else { throw APIError.notFound("agent '\(id)' not found") }
        return view
    }

    private func group(_ context: BasicRequestContext) async throws -> RoutingGroup {
        let id = try context.parameters.require("id")
        guard let group = await engine.group(GroupID(id)) else { throw APIError.notFound("group '\(id)' not found") }
        return group
    }

    private func conversation(_ context: BasicRequestContext) async throws -> Conversation {
        try await store.findConversation(try context.parameters.require("id")).conversation
    }
}

extension Conversation {
    /// The queue level while waiting for an agent; `nil` otherwise.
    var queueLevel: Int? { status == .queued && group != nil ? priority : nil }
}

/// The knowledge base the bot answers from: `/api/v1/kb/articles` (admin writes, integration
/// reads; `?q=` searches the way the bot does).
struct KnowledgeRoutes: Sendable {
    let store: any GatewayStore
    let authenticator: Authenticator
    let maxBodyBytes: Int

    struct ArticleBody: Decodable {
        var id: String?
        var title: String
        var body: String
        var keywords: [String]?
        var category: String?
    }

    func register(on router: Router<BasicRequestContext>) {
        let api = router.group("api/v1/kb")
        api.get("articles") { request, _ in
            try await authenticator.require(.integration, request)
            let parameters = request.uri.queryParameters
            if let query = parameters.get("q") {
                return HTTPResponses.json(200, RoutingResources.List(items: try await store.searchArticles(query, limit: 20)))
            }
            let limit = Int(parameters.get("limit") ?? "") ?? 100
            guard (1...500).contains(limit) else { throw APIError.badRequest("limit must be 1-500", field: "limit") }
            let items = try await store.articles(category: parameters.get("category"), limit: limit, after: parameters.get("after"))
            return HTTPResponses.json(200, RoutingResources.List(items: items))
        }
        api.post("articles") { request, _ in
            try await authenticator.require(.admin, request)
            let body = try await request.decodeJSON(ArticleBody.self, limit: maxBodyBytes)
            let id = body.id ?? UUID().uuidString.lowercased()
            guard try await store.article(id) == nil else { throw APIError(409, "article '\(id)' already exists") }
            return HTTPResponses.json(201, try await save(body, id: id))
        }
        api.get("articles/:id") { request, context in
            try await authenticator.require(.integration, request)
            let id = try context.parameters.require("id")
            guard let article = try await store.article(id) else { throw APIError.notFound("article '\(id)' not found") }
            return HTTPResponses.json(200, article)
        }
        api.put("articles/:id") { request, context in
            try await authenticator.require(.admin, request)
            let body = try await request.decodeJSON(ArticleBody.self, limit: maxBodyBytes)
            return HTTPResponses.json(200, try await save(body, id: try context.parameters.require("id")))
        }
        api.delete("articles/:id") { request, context in
            try await authenticator.require(.admin, request)
            let id = try context.parameters.require("id")
            guard try await store.deleteArticle(id) else { throw APIError.notFound("article '\(id)' not found") }
            return Response(status: .noContent)
        }
    }

    private func save(_ body: ArticleBody, id: String) async throws -> KnowledgeArticle {
        let article = KnowledgeArticle(
            id: id, title: body.title, body: body.body, keywords: body.keywords ?? [], category: body.category,
            updatedAt: Date())
        try article.validate()
        try await store.saveArticle(article)
        return article
    }
}
