/// The t-major window layout the models read, from batch-major rows.
///
/// Samplers, streams and datasets hold each sequence as a row of consecutive steps
/// (batch-major); a model reads a window of `steps` steps of `rows` sequences with step t of
/// sequence b at position t·rows + b (d2l's transposed minibatch). Each position is `width`
/// values wide (1 for token ids, F features or O outputs for the toy tasks).
public enum TimeMajor {
    /// Writes `destination[(t·rows + b)·width + j] = source[rowStart(b) + t·width + j]` for
    /// t < `steps`, b < `rows`, j < `width`: `rowStart(b)` is where sequence b's first step
    /// starts in `source`.
    @inlinable
    public static func gather<T: BitwiseCopyable>(
        rows: Int, steps: Int, width: Int = 1, from source: UnsafePointer<T>, rowStart: (Int) -> Int,
        into destination: UnsafeMutablePointer<T>
    ) {
        for b in 0..<rows {
            let row = source + rowStart(b)
            for t in 0..<steps {
                let s = row + t * width, d = destination + (t * rows + b) * width
                for j in 0..<width { d[j] = s[j] }
            }
        }
    }

    /// The same from an array into an array, which is resized to `rows·steps·width` when
    /// its count differs (and otherwise overwritten in place).
    @inlinable
    public static func gather<T: BitwiseCopyable>(
        rows: Int, steps: Int, width: Int = 1, from source: [T], rowStart: (Int) -> Int,
        into destination: inout [T]
    ) {
        let count = rows * steps * width
        guard count > 0 else { return destination.removeAll(keepingCapacity: true) }
        source.withUnsafeBufferPointer { src in
            if destination.count == count {
                destination.withUnsafeMutableBufferPointer {
                    gather(rows: rows, steps: steps, width: width, from: src.baseAddress!, rowStart: rowStart, into: $0.baseAddress!)
                }
            } else {
                destination = [T](unsafeUninitializedCapacity: count) { buffer, initialized in
                    gather(rows: rows, steps: steps, width: width, from: src.baseAddress!, rowStart: rowStart, into: buffer.baseAddress!)
                    initialized = count
                }
            }
        }
    }
}

extension Batch {
    /// Writes the batch's filled steps t-major: `inputs[t·batchSize + b]` and
    /// `targets[t·batchSize + b]` for t < ``filledSteps`` (the arrays are resized as needed).
    @inlinable
    public func timeMajor(inputs x: inout [Int32], targets y: inout [Int32]) {
        timeMajor(rows: 0..<batchSize, inputs: &x, targets: &y)
    }

    /// The same for the sequences `rows` only (one process's share of a data-parallel batch):
    /// `inputs[t·rows.count + b]` is sequence `rows.lowerBound + b` at step t.
    @inlinable
    public func timeMajor(rows: Range<Int>, inputs x: inout [Int32], targets y: inout [Int32]) {
        let stride = steps, first = rows.lowerBound
        TimeMajor.gather(rows: rows.count, steps: filledSteps, from: inputs, rowStart: { ($0 + first) * stride }, into: &x)
        TimeMajor.gather(rows: rows.count, steps: filledSteps, from: targets, rowStart: { ($0 + first) * stride }, into: &y)
    }
}
