import SwitchboardCore
import Testing

@testable import SwitchboardRouting

@Suite("SortedBag")
struct SortedBagTests {
    @Test("matches a sorted array under random inserts and removes, across chunk splits")
    func matchesReference() {
        var random = SeededRandom(seed: 42)
        var bag = SortedBag<Int>(chunkSize: 4)
        var reference: [Int] = []
        for _ in 0..<5_000 {
            let value = Int.random(in: 0..<400, using: &random)
            if Bool.random(using: &random) {
                let inserted = bag.insert(value)
                #expect(inserted == !reference.contains(value))
                if inserted { reference.append(value); reference.sort() }
            } else {
                let removed = bag.remove(value)
                #expect(removed == reference.contains(value))
                reference.removeAll { $0 == value }
            }
            #expect(bag.count == reference.count)
        }
        #expect(Array(bag) == reference)
        #expect(bag.first == reference.first)
        for probe in stride(from: -1, to: 401, by: 7) {
            #expect(bag.contains(probe) == reference.contains(probe))
            #expect(bag.rank(of: probe) == reference.count { $0 < probe })
            #expect(bag.first(after: probe, where: { $0 % 3 == 0 }) == reference.first { $0 > probe && $0 % 3 == 0 })
        }
        #expect(bag.first(where: { $0 > 200 }) == reference.first { $0 > 200 })
    }

    @Test("empty bag answers without trapping")
    func empty() {
        var bag = SortedBag<Int>()
        #expect(bag.first == nil)
        #expect(bag.rank(of: 5) == 0)
        #expect(!bag.contains(1))
        let removed = bag.remove(1)
        #expect(!removed)
        #expect(bag.first(after: 3, where: { _ in true }) == nil)
        bag.insert(1)
        bag.removeAll()
        #expect(bag.isEmpty)
    }
}
