import Foundation
import LMFileSystem
import LMText

/// The prefix of `lm-generate --prefix-file FILE`: the file's text as is, one trailing line
/// end ("\n" or "\r\n") stripped; `-` reads standard input.
public enum PrefixFile {
    /// The prefix held by `path` (`-` for standard input).
    /// - Throws: `FileError.unreadable` (with the system's reason) or `TextError.invalidUTF8Input`
    ///   naming the file and the byte offset.
    public static func read(_ path: String) throws -> String {
        let name = path == "-" ? "<stdin>" : path
        let data: Data
        if path == "-" {
            data = FileHandle.standardInput.readDataToEndOfFile()
        } else {
            data = try FileAccess.contents(of: path)
        }
        var bytes = [UInt8](data)
        if let bad = bytes.withUnsafeBufferPointer({ UTF8Validation.firstInvalidOffset(in: $0) }) {
            throw TextError.invalidUTF8Input(path: name, offset: bad, remedy: "a prefix must be UTF-8 text")
        }
        if bytes.last == 0x0A {
            bytes.removeLast()
            if bytes.last == 0x0D { bytes.removeLast() }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
