import Foundation
import LMFileSystem
import LMText

/// The safetensors format (huggingface/safetensors), read and written for F32 tensors:
/// an 8-byte little-endian header length N, N bytes of JSON
/// `{"name": {"dtype": "F32", "shape": [...], "data_offsets": [begin, end]}, "__metadata__": {...}}`
/// padded with spaces to a multiple of 8, then the raw little-endian data (offsets relative
/// to its start). PyTorch, NumPy and Rust load these files with no pickles involved.
public enum SafeTensors {
    /// One named tensor.
    public struct Tensor: Equatable, Sendable {
        public var name: String
        public var shape: [Int]
        public var values: [Float]

        /// A tensor; `values.count` must equal the product of `shape`.
        public init(name: String, shape: [Int], values: [Float]) {
            precondition(values.count == shape.reduce(1, *), "tensor \(name): \(values.count) values for shape \(shape)")
            self.name = name
            self.shape = shape
            self.values = values
        }
    }

    /// Readers refuse headers larger than this (100 MB), as the reference implementation does.
    public static let maximumHeaderSize = 100_000_000

    /// The bytes of a safetensors file holding `tensors` (data in the given order) and `metadata`.
    public static func encode(_ tensors: [Tensor], metadata: [String: String] = [:]) throws -> Data {
        var header: [String: Any] = [:]
        var offset = 0
        for tensor in tensors {
            let bytes = tensor.values.count * 4
            header[tensor.name] = ["dtype": "F32", "shape": tensor.shape, "data_offsets": [offset, offset + bytes]] as [String: Any]
            offset += bytes
        }
        if !metadata.isEmpty { header["__metadata__"] = metadata }
        var json = try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys, .withoutEscapingSlashes])
        while json.count % 8 != 0 { json.append(0x20) }
        var data = Data(capacity: 8 + json.count + offset)
        withUnsafeBytes(of: UInt64(json.count).littleEndian) { data.append(contentsOf: $0) }
        data.append(json)
        for tensor in tensors {
            tensor.values.withUnsafeBufferPointer { buffer in
                if Int(1).littleEndian == 1 {
                    data.append(UnsafeBufferPointer(start: UnsafeRawPointer(buffer.baseAddress!).assumingMemoryBound(to: UInt8.self), count: buffer.count * 4))
                } else {
                    for value in buffer { withUnsafeBytes(of: value.bitPattern.littleEndian) { data.append(contentsOf: $0) } }
                }
            }
        }
        return data
    }

    /// Parses a safetensors file's bytes; `path` names it in errors. Tensors come back in
    /// data order, with the metadata.
    public static func decode(_ data: Data, path: String) throws -> (tensors: [Tensor], metadata: [String: String]) {
        let decoded = try decode(data, path: path, widening: false)
        return (decoded.tensors, decoded.metadata)
    }

    /// Parses a safetensors file's bytes as ``decode(_:path:)`` does; with `widening`, F16 and
    /// BF16 tensors are accepted too and converted to F32 (exactly: every half value is a
    /// float), and their names are returned in `widened`. Other dtypes are refused.
    public static func decode(_ data: Data, path: String, widening: Bool)
        throws -> (tensors: [Tensor], metadata: [String: String], widened: [String]) {
        func fail(_ reason: String) -> ModelFileError { .badSafeTensors(path: path, reason: reason) }
        guard data.count >= 8 else { throw fail("only \(data.count) bytes; a header length needs 8") }
        let headerLength = data.prefix(8).enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
        guard headerLength <= UInt64(maximumHeaderSize) else { throw fail("header length \(headerLength) exceeds the \(maximumHeaderSize)-byte limit") }
        guard 8 + Int(headerLength) <= data.count else { throw fail("header length \(headerLength) runs past the end of the file (\(data.count) bytes)") }
        let headerData = data.subdata(in: 8..<8 + Int(headerLength))
        guard headerData.first == UInt8(ascii: "{"),
              let header = try? JSONSerialization.jsonObject(with: headerData) as? [String: Any] else {
            throw fail("the header is not a JSON object")
        }
        let bufferStart = 8 + Int(headerLength)
        let bufferLength = data.count - bufferStart
        var metadata: [String: String] = [:]
        var entries: [(begin: Int, end: Int, tensor: Tensor)] = []
        var widened: [String] = []
        for (name, value) in header {
            if name == "__metadata__" {
                guard let dictionary = value as? [String: String] else { throw fail("__metadata__ must map strings to strings") }
                metadata = dictionary
                continue
            }
            guard let info = value as? [String: Any], let dtype = info["dtype"] as? String,
                  let shape = info["shape"] as? [Int], let offsets = info["data_offsets"] as? [Int], offsets.count == 2 else {
                throw fail("tensor \(name) lacks dtype, shape or data_offsets")
            }
            let width: Int
            switch dtype {
            case "F32": width = 4
            case "F16" where widening, "BF16" where widening: width = 2
            default:
                throw fail("tensor \(name) has dtype \(dtype); LMKit reads F32" + (widening ? " (and F16 or BF16, converted to F32)" : ""))
            }
            guard shape.allSatisfy({ $0 >= 0 }) else { throw fail("tensor \(name) has a negative dimension") }
            // Checked products: a header may claim dimensions whose element count overflows Int.
            let count = shape.reduce(Optional(1)) { product, dimension in
                product.flatMap { let (value, overflow) = $0.multipliedReportingOverflow(by: dimension); return overflow ? nil : value }
            }
            guard let count, count <= bufferLength / width else {
                throw fail("tensor \(name): shape \(shape) needs more than the \(bufferLength)-byte buffer holds")
            }
            let (begin, end) = (offsets[0], offsets[1])
            guard begin >= 0, end >= begin, end <= bufferLength, end - begin == count * width else {
                throw fail("tensor \(name): data_offsets [\(begin), \(end)] do not fit shape \(shape) in a \(bufferLength)-byte buffer")
            }
            var values = [Float](repeating: 0, count: count)
            if width == 4 {
                _ = values.withUnsafeMutableBytes { destination in
                    data.copyBytes(to: destination, from: bufferStart + begin..<bufferStart + end)
                }
                if Int(1).littleEndian != 1 { values = values.map { Float(bitPattern: $0.bitPattern.byteSwapped) } }
            } else {
                var halves = [UInt16](repeating: 0, count: count)
                _ = halves.withUnsafeMutableBytes { destination in
                    data.copyBytes(to: destination, from: bufferStart + begin..<bufferStart + end)
                }
                for i in 0..<count {
                    let bits = UInt16(littleEndian: halves[i])
                    values[i] = dtype == "BF16" ? Float(bitPattern: UInt32(bits) << 16) : Float(Float16(bitPattern: bits))
                }
                widened.append(name)
            }
            entries.append((begin, end, Tensor(name: name, shape: shape, values: values)))
        }
        // As the format requires: the tensors tile the buffer, without gaps or overlaps (ties of
        // empty tensors ordered by name, so the order never depends on the header's key order).
        let ordered = entries.sorted { ($0.begin, $0.end, $0.tensor.name) < ($1.begin, $1.end, $1.tensor.name) }
        var next = 0
        for entry in ordered {
            guard entry.begin == next else {
                throw fail("tensor \(entry.tensor.name): data_offsets start at \(entry.begin) where \(next) was expected "
                    + "(the tensors must cover the data buffer without gaps or overlaps)")
            }
            next = entry.end
        }
        guard next == bufferLength else {
            throw fail("the tensors cover \(next) of the data buffer's \(bufferLength) bytes")
        }
        return (ordered.map(\.tensor), metadata, widened.sorted())
    }

    /// Reads a safetensors file.
    public static func read(from path: String) throws -> (tensors: [Tensor], metadata: [String: String]) {
        let decoded = try read(from: path, widening: false)
        return (decoded.tensors, decoded.metadata)
    }

    /// Reads a safetensors file, converting F16 and BF16 tensors to F32 when `widening`
    /// (see ``decode(_:path:widening:)``).
    public static func read(from path: String, widening: Bool)
        throws -> (tensors: [Tensor], metadata: [String: String], widened: [String]) {
        guard let data = try? FileAccess.contents(of: path) else {
            throw ModelFileError.io(path: path, reason: "cannot read: \(FileAccess.unreadableReason(path) ?? "read error")")
        }
        return try decode(data, path: path, widening: widening)
    }
}
