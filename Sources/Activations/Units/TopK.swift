/// The positions of the k largest values of a contiguous Float32 row, found with a k-element
/// min-heap in one pass (O(n log k)); used for each direction's top- and bottom-activating images.
///
/// NOTE: ties are broken by position, the lower position ranking higher, so results are
/// deterministic and reproducible with `numpy.lexsort((positions, -values))`.
enum TopK {
    /// Positions of the `k` largest values of `values[0..<count]`, largest first.
    static func largest(_ values: UnsafePointer<Float>, count: Int, k: Int) -> [Int] {
        select(count: count, k: k) { values[$0] }
    }

    /// Positions of the `k` smallest values, smallest first.
    static func smallest(_ values: UnsafePointer<Float>, count: Int, k: Int) -> [Int] {
        select(count: count, k: k) { -values[$0] }
    }

    /// Whether (value a at position i) ranks above (value b at position j).
    @inline(__always)
    private static func above(_ a: Float, _ i: Int, _ b: Float, _ j: Int) -> Bool { a > b || (a == b && i < j) }

    private static func select(count: Int, k: Int, _ value: (Int) -> Float) -> [Int] {
        let k = min(k, count)
        guard k > 0 else { return [] }
        // heap[0] is the lowest-ranked of the kept positions.
        var heap: [Int] = []
        heap.reserveCapacity(k)
        func lower(_ a: Int, _ b: Int) -> Bool { above(value(b), b, value(a), a) }
        func siftDown(_ start: Int) {
            var parent = start
            while true {
                let left = 2 * parent + 1, right = left + 1
                var lowest = parent
                if left < heap.count && lower(heap[left], heap[lowest]) { lowest = left }
                if right < heap.count && lower(heap[right], heap[lowest]) { lowest = right }
                if lowest == parent { return }
                heap.swapAt(parent, lowest)
                parent = lowest
            }
        }
        for position in 0..<count {
            if heap.count < k {
                heap.append(position)
                var child = heap.count - 1
                while child > 0 {
                    let parent = (child - 1) / 2
                    guard lower(heap[child], heap[parent]) else { break }
                    heap.swapAt(child, parent)
                    child = parent
                }
            } else if above(value(position), position, value(heap[0]), heap[0]) {
                heap[0] = position
                siftDown(0)
            }
        }
        return heap.sorted { above(value($0), $0, value($1), $1) }
    }
}
