import Foundation
import Hummingbird
import SwitchboardCore
import SwitchboardRouting
import SwitchboardStore

extension APIResources {
    /// `PATCH /customers/{id}`: `{"name", "vipLevel", "attributes": {"key": "value" | null}}`.
    /// The VIP level (0-10) and the `exclusiveAgent` attribute are what routing reads.
    enum CustomerPatch {
        static func decode(from request: Request, limit: Int) async throws -> CustomerChange {
            let data = Data(buffer: try await request.body.collect(upTo: limit))
            try JSONText.refuseNUL(data)
            guard let value = try? JSONDecoder().decode(ConfigValue.self, from: data),
                case .map(let fields) = value
            else { throw APIError.badRequest("body must be a JSON object of the fields to change") }
            var change = CustomerChange()
            for (key, field) in fields {
                switch (key, field) {
                case ("name", .string(let name)):
                    try InboundContact.checkIdentifier(name, field: "name", maxBytes: 200)
                    change.name = name
                case ("vipLevel", .int(let level)) where (0...10).contains(level):
                    change.vipLevel = level
                case ("vipLevel", _):
                    throw APIError.badRequest("vipLevel must be an integer 0-10", field: "vipLevel")
                case ("attributes", .map(let attributes)):
                    guard attributes.count <= 100 else {
                        throw APIError.badRequest("attributes may hold at most 100 keys", field: "attributes")
                    }
                    for (name, attribute) in attributes {
                        let path = "attributes.\(name)"
                        guard !name.isEmpty, name.utf8.count <= 64 else {
                            throw APIError.badRequest("attribute names must be 1-64 bytes", field: "attributes")
                        }
                        switch attribute {
                        case .null: change.attributes[name] = .some(nil)
                        case .string(let text):
                            try InboundContact.checkText(text, field: path, maxBytes: 1000)
                            if name == "exclusiveAgent" && !AgentID.isValid(text) {
                                throw APIError.badRequest("\(path) \(AgentID.rule)", field: path)
                            }
                            change.attributes[name] = text
                        default: throw APIError.badRequest("\(path) must be a string or null", field: path)
                        }
                    }
                default:
                    throw APIError.badRequest(
                        "\(key) cannot be changed here (name, vipLevel, attributes) or has the wrong type", field: key)
                }
            }
            return change
        }
    }
}
