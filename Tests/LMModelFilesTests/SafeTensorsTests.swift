import Foundation
import Testing
@testable import LMModelFiles

@Suite struct SafeTensorsTests {
    let tensors = [
        SafeTensors.Tensor(name: "rnn.0.W_xh", shape: [2, 3], values: [1, 2, 3, 4, 5, -6.5]),
        SafeTensors.Tensor(name: "output.b_q", shape: [3], values: [0.25, .greatestFiniteMagnitude, -0]),
    ]

    @Test func roundTripKeepsNamesShapesValuesAndMetadata() throws {
        let data = try SafeTensors.encode(tensors, metadata: ["epoch": "3"])
        let (decoded, metadata) = try SafeTensors.decode(data, path: "x")
        #expect(decoded == tensors)
        #expect(metadata == ["epoch": "3"])
    }

    @Test func layoutFollowsTheFormat() throws {
        let data = try SafeTensors.encode(tensors)
        let headerLength = data.prefix(8).enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
        #expect(headerLength % 8 == 0)
        #expect(data[8] == UInt8(ascii: "{"))
        #expect(data.count == 8 + headerLength + 9 * 4)
        let header = try JSONSerialization.jsonObject(with: data.subdata(in: 8..<8 + headerLength)) as! [String: [String: Any]]
        #expect(header["output.b_q"]?["data_offsets"] as? [Int] == [24, 36])
        #expect(header["rnn.0.W_xh"]?["dtype"] as? String == "F32")
        // Little-endian F32: 1.0 is 00 00 80 3F.
        #expect(Array(data[(8 + headerLength)..<(8 + headerLength + 4)]) == [0x00, 0x00, 0x80, 0x3F])
    }

    @Test func damagedFilesAreClearErrors() throws {
        let good = try SafeTensors.encode(tensors)
        var huge = good
        huge.replaceSubrange(0..<8, with: [0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0])
        var truncated = good
        truncated.removeLast(4)
        var f16 = good
        let range = try #require(f16.range(of: Data("\"F32\"".utf8)))
        f16.replaceSubrange(range, with: Data("\"F16\"".utf8))
        for (bytes, reason) in [(Data([1, 2, 3]), "only 3 bytes"), (huge, "exceeds"), (truncated, "do not fit"), (f16, "dtype F16"),
                                (Data(repeating: 0x20, count: 8) + Data("[]".utf8), "header length")] {
            do {
                _ = try SafeTensors.decode(bytes, path: "m.safetensors")
                Issue.record("should reject: \(reason)")
            } catch let error as ModelFileError {
                #expect(error.description.hasPrefix("m.safetensors: not a valid safetensors file"))
                #expect(error.description.contains(reason), "\(error.description)")
            }
        }
    }

    /// A header whose tensors overlap, leave a gap or leave bytes unclaimed is refused (the
    /// fuzzer's round trip found overlapping tensors decoding in header-key order).
    @Test func tensorsMustTileTheBuffer() throws {
        func file(_ header: String, bytes: Int) -> Data {
            let json = Data(header.utf8)
            return withUnsafeBytes(of: UInt64(json.count).littleEndian) { Data($0) } + json + Data(repeating: 0, count: bytes)
        }
        let cases = [
            (#"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}"#, 4, "where 4 was expected"),
            (#"{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#, 8, "where 0 was expected"),
            (#"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}"#, 8, "cover 4 of the data buffer's 8 bytes"),
        ]
        for (header, bytes, reason) in cases {
            #expect(throws: ModelFileError.self) { _ = try SafeTensors.decode(file(header, bytes: bytes), path: "m.safetensors") }
            do { _ = try SafeTensors.decode(file(header, bytes: bytes), path: "m.safetensors") } catch {
                #expect("\(error)".contains(reason), "\(error)")
            }
        }
        let empties = #"{"b":{"dtype":"F32","shape":[0],"data_offsets":[0,0]},"a":{"dtype":"F32","shape":[0],"data_offsets":[0,0]}}"#
        #expect(try SafeTensors.decode(file(empties, bytes: 0), path: "m").tensors.map(\.name) == ["a", "b"])
    }
}
