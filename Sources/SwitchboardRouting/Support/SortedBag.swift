/// An ordered collection of distinct elements with logarithmic search and cheap insert/remove.
///
/// Routing keeps, per group, the available members ordered by load, by round-robin position and
/// by skill, and the waiting conversations ordered by arrival. A plain sorted array costs O(n)
/// per update at 100,000 agents; a tree costs an allocation per node. This keeps the elements in
/// sorted chunks of at most `2 × chunkSize` (the layout of Python's SortedContainers): finding an
/// element is two binary searches, an update moves at most one chunk's worth of elements, and
/// iteration walks contiguous memory.
struct SortedBag<Element: Comparable & Sendable>: Sendable, Sequence {
    private var chunks: [[Element]] = []
    /// The largest element of each chunk, for the first binary search.
    private var maxes: [Element] = []
    private(set) var count = 0
    private let chunkSize: Int

    init(chunkSize: Int = 128) {
        precondition(chunkSize >= 2, "chunks must hold at least two elements")
        self.chunkSize = chunkSize
    }

    var isEmpty: Bool { count == 0 }
    var first: Element? { chunks.first?.first }

    /// Index of the chunk where `element` belongs: the first whose max is ≥ it, else the last.
    private func chunkIndex(for element: Element) -> Int {
        var low = 0
        var high = maxes.count
        while low < high {
            let mid = (low + high) / 2
            if maxes[mid] < element { low = mid + 1 } else { high = mid }
        }
        return Swift.min(low, maxes.count - 1)
    }

    /// Position of the first element ≥ `element` within `chunk`.
    private static func lowerBound(_ element: Element, in chunk: [Element]) -> Int {
        var low = 0
        var high = chunk.count
        while low < high {
            let mid = (low + high) / 2
            if chunk[mid] < element { low = mid + 1 } else { high = mid }
        }
        return low
    }

    func contains(_ element: Element) -> Bool {
        guard !chunks.isEmpty else { return false }
        let chunk = chunks[chunkIndex(for: element)]
        let position = Self.lowerBound(element, in: chunk)
        return position < chunk.count && chunk[position] == element
    }

    /// Inserts `element`; returns false (and changes nothing) if an equal element is present.
    @discardableResult
    mutating func insert(_ element: Element) -> Bool {
        guard !chunks.isEmpty else {
            chunks = [[element]]
            maxes = [element]
            count = 1
            return true
        }
        let index = chunkIndex(for: element)
        let position = Self.lowerBound(element, in: chunks[index])
        if position < chunks[index].count && chunks[index][position] == element { return false }
        chunks[index].insert(element, at: position)
        if maxes[index] < element { maxes[index] = element }
        count += 1
        if chunks[index].count > 2 * chunkSize {
            let upper = Array(chunks[index][chunkSize...])
            chunks[index].removeSubrange(chunkSize...)
            maxes[index] = chunks[index][chunkSize - 1]
            chunks.insert(upper, at: index + 1)
            maxes.insert(upper[upper.count - 1], at: index + 1)
        }
        return true
    }

    /// Removes `element`; returns false if it was not present.
    @discardableResult
    mutating func remove(_ element: Element) -> Bool {
        guard !chunks.isEmpty else { return false }
        let index = chunkIndex(for: element)
        let position = Self.lowerBound(element, in: chunks[index])
        guard position < chunks[index].count && chunks[index][position] == element else { return false }
        chunks[index].remove(at: position)
        count -= 1
        if chunks[index].isEmpty {
            chunks.remove(at: index)
            maxes.remove(at: index)
        } else {
            maxes[index] = chunks[index][chunks[index].count - 1]
        }
        return true
    }

    mutating func removeAll() {
        chunks = []
        maxes = []
        count = 0
    }

    /// The number of elements less than `element` (its position, if present).
    func rank(of element: Element) -> Int {
        guard !chunks.isEmpty else { return 0 }
        let index = chunkIndex(for: element)
        var rank = 0
        for chunk in chunks[..<index] { rank += chunk.count }
        return rank + Self.lowerBound(element, in: chunks[index])
    }

    /// The smallest element satisfying `predicate`, scanning upward.
    func first(where predicate: (Element) throws -> Bool) rethrows -> Element? {
        for chunk in chunks {
            for element in chunk where try predicate(element) { return element }
        }
        return nil
    }

    /// The smallest element strictly greater than `element` that satisfies `predicate`.
    func first(after element: Element, where predicate: (Element) throws -> Bool) rethrows -> Element? {
        guard !chunks.isEmpty else { return nil }
        var index = chunkIndex(for: element)
        var position = Self.lowerBound(element, in: chunks[index])
        if position < chunks[index].count && chunks[index][position] == element { position += 1 }
        while index < chunks.count {
            let chunk = chunks[index]
            while position < chunk.count {
                if try predicate(chunk[position]) { return chunk[position] }
                position += 1
            }
            index += 1
            position = 0
        }
        return nil
    }

    struct Iterator: IteratorProtocol {
        fileprivate let chunks: [[Element]]
        fileprivate var chunk = 0
        fileprivate var position = 0

        mutating func next() -> Element? {
            while chunk < chunks.count {
                if position < chunks[chunk].count {
                    defer { position += 1 }
                    return chunks[chunk][position]
                }
                chunk += 1
                position = 0
            }
            return nil
        }
    }

    func makeIterator() -> Iterator { Iterator(chunks: chunks) }
    var underestimatedCount: Int { count }
}
