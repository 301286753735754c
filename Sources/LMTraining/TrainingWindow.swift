import LMData

/// One window's buffers: the sampler's batch-major batch and the model's t-major copy
/// (of this process's rows), with room for the longest window from the start, so windows
/// of varying length allocate nothing.
struct TrainingWindow {
    var batch = Batch()
    var inputs: [Int32], targets: [Int32]
    /// Rows of the whole batch.
    let rows: Int

    init(batch: Int, longestWindow: Int) {
        rows = batch
        inputs = [Int32](repeating: 0, count: batch * longestWindow)
        targets = [Int32](repeating: 0, count: batch * longestWindow)
    }

    /// Target tokens of the latest window over the whole batch (batch × its steps).
    var size: Int { rows * batch.filledSteps }

    /// The latest window's `rows`, t-major, in ``inputs`` and ``targets`` (resized within
    /// their capacity to rows × its steps).
    mutating func load(rows: Range<Int>) {
        let count = rows.count * batch.filledSteps
        Self.resize(&inputs, to: count)
        Self.resize(&targets, to: count)
        batch.timeMajor(rows: rows, inputs: &inputs, targets: &targets)
    }

    /// `array` with `count` elements; within its capacity, no allocation.
    private static func resize(_ array: inout [Int32], to count: Int) {
        if array.count > count {
            array.removeLast(array.count - count)
        } else if array.count < count {
            array.append(contentsOf: repeatElement(0, count: count - array.count))
        }
    }
}
