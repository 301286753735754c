#if canImport(Glibc)
import Glibc
#endif

/// Scratch memory a kernel borrows for the length of one call (the second half of a deep
/// product, the softmax's per-block sums and per-row losses), kept between calls: once the
/// first training steps have sized the blocks, a step allocates nothing (`bin/bench allocs`
/// counts it). Thread-safe; a borrowed block is the smallest free one that fits, and a request
/// no free block fits replaces the smallest (blocks are 64-byte aligned).
public final class ScratchMemory: @unchecked Sendable {
    /// The scratch the kernels share.
    public static let shared = ScratchMemory()

    /// Free blocks kept at most; a block returned beyond them is freed.
    static let slots = 8
    private var mutex = pthread_mutex_t()
    /// The free blocks (capacity ``slots``, reserved once: taking and returning never
    /// allocates).
    private var free: [(pointer: UnsafeMutableRawPointer, bytes: Int)] = []

    init() {
        pthread_mutex_init(&mutex, nil)
        free.reserveCapacity(Self.slots)
    }

    /// Runs `body` with `count` uninitialised elements of `T`, returned to the free blocks after.
    @inline(__always)
    public func borrow<T, R>(_ type: T.Type, count: Int, _ body: (UnsafeMutablePointer<T>) throws -> R) rethrows -> R {
        let block = take(max(1, count) * MemoryLayout<T>.stride)
        defer { give(block) }
        return try body(block.pointer.bindMemory(to: T.self, capacity: max(1, count)))
    }

    /// Free blocks now (for tests).
    var freeBlocks: Int {
        pthread_mutex_lock(&mutex)
        defer { pthread_mutex_unlock(&mutex) }
        return free.count
    }

    private func take(_ bytes: Int) -> (pointer: UnsafeMutableRawPointer, bytes: Int) {
        pthread_mutex_lock(&mutex)
        var fit: Int? = nil, smallest: Int? = nil
        for i in free.indices {
            if free[i].bytes >= bytes, fit.map({ free[i].bytes < free[$0].bytes }) ?? true { fit = i }
            if smallest.map({ free[i].bytes < free[$0].bytes }) ?? true { smallest = i }
        }
        let found = fit.map { free.remove(at: $0) }
        let dropped = found == nil ? smallest.map { free.remove(at: $0) } : nil
        pthread_mutex_unlock(&mutex)
        dropped?.pointer.deallocate()
        return found ?? (UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: 64), bytes)
    }

    private func give(_ block: (pointer: UnsafeMutableRawPointer, bytes: Int)) {
        pthread_mutex_lock(&mutex)
        let kept = free.count < Self.slots
        if kept { free.append(block) }
        pthread_mutex_unlock(&mutex)
        if !kept { block.pointer.deallocate() }
    }
}
