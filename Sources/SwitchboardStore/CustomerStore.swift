import Foundation
import SwitchboardCore

/// Reading customers and merging two records of the same person.
public protocol CustomerStore: Sendable {
    /// A customer with its handles and conversations. A merged customer's id resolves to the
    /// customer it was merged into. `nil` if unknown.
    func customer(_ id: CustomerID) async throws -> CustomerDetail?
    /// Moves every handle, conversation and rating of `source` to `target` and marks `source`
    /// as merged into it; attributes of `target` win over those of `source`. Throws
    /// ``StoreError/notFound(_:)`` for an unknown id and ``StoreError/conflict(_:)`` when merging
    /// a customer into itself or into a merged customer.
    func merge(_ source: CustomerID, into target: CustomerID, at time: Date) async throws -> CustomerDetail
    /// Changes a customer's name, VIP level and attributes (a merged id changes the customer it
    /// was merged into). Throws ``StoreError/notFound(_:)``.
    func updateCustomer(_ id: CustomerID, _ change: CustomerChange, at time: Date) async throws -> CustomerDetail
}

/// What `PATCH /customers/{id}` changes; `nil` leaves a field as it is.
public struct CustomerChange: Sendable, Hashable {
    public var name: String?
    public var vipLevel: Int?
    /// Attributes to set; a `nil` value removes the attribute.
    public var attributes: [String: String?]

    public init(name: String? = nil, vipLevel: Int? = nil, attributes: [String: String?] = [:]) {
        self.name = name
        self.vipLevel = vipLevel
        self.attributes = attributes
    }
}

/// A customer together with its conversations, newest first.
public struct CustomerDetail: Sendable, Hashable {
    public var customer: Customer
    public var conversations: [Conversation]

    public init(customer: Customer, conversations: [Conversation]) {
        self.customer = customer
        self.conversations = conversations
    }
}
