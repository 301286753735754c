import CUtf8proc
import Foundation

/// The JSON file a vocabulary is saved as (documented in the README, "Vocabulary files").
/// Besides the tokens it records how they were made (the text pipeline, the build settings,
/// the source and the Unicode version), so that a model tokenizes exactly as its vocabulary was built.
public struct VocabularyFile: Codable, Sendable, Equatable {
    /// The value of `format` that marks an LMKit vocabulary.
    public static let formatName = "lmkit-vocabulary"
    /// The format version this code writes and reads.
    public static let currentVersion = 1

    /// Where the counted text came from.
    public struct Source: Codable, Sendable, Equatable {
        /// File name (without directories, so the file does not depend on where it was built).
        public var file: String
        /// File size in bytes.
        public var bytes: Int
        /// Tokens counted.
        public var tokens: Int
    }

    /// How the token list was cut.
    public struct Settings: Codable, Sendable, Equatable {
        public var minFrequency: Int
        public var maxSize: Int?
        public var reserved: [String]

        /// Settings as d2l's `Vocab(tokens, min_freq, reserved_tokens)`, plus a size cap.
        public init(minFrequency: Int = 1, maxSize: Int? = nil, reserved: [String] = []) {
            self.minFrequency = minFrequency
            self.maxSize = maxSize
            self.reserved = reserved
        }
    }

    /// Always `lmkit-vocabulary`.
    public var format: String
    /// Format version.
    public var version: Int
    /// Preprocessing and tokenizer.
    public var pipeline: TextPipeline
    /// The Unicode version of the utf8proc that built the file.
    public var unicodeVersion: String
    public var source: Source
    public var settings: Settings
    /// Tokens by id; `tokens[0]` is `<unk>`.
    public var tokens: [String]
    /// Corpus count per id (for `<unk>`: the tokens outside the vocabulary).
    public var frequencies: [Int]

    /// Counts the file at `path` through `pipeline` and builds its vocabulary.
    public static func build(corpus path: String, pipeline: TextPipeline, settings: Settings) throws -> VocabularyFile {
        try build(corpus: try TextInput(path: path), pipeline: pipeline, settings: settings)
    }

    /// Counts an opened input through `pipeline` and builds its vocabulary.
    public static func build(corpus input: TextInput, pipeline: TextPipeline, settings: Settings) throws -> VocabularyFile {
        let counts = try TokenCounts(input: input, pipeline: pipeline)
        let vocabulary = try Vocabulary(counts: counts, reserved: settings.reserved,
                                        minFrequency: settings.minFrequency, maxSize: settings.maxSize)
        let name = input.path == TextInput.standardInput ? "<stdin>" : URL(fileURLWithPath: input.path).lastPathComponent
        return VocabularyFile(format: formatName, version: currentVersion, pipeline: pipeline,
                              unicodeVersion: String(cString: utf8proc_unicode_version()),
                              source: Source(file: name, bytes: input.size,
                                             tokens: counts.total),
                              settings: settings, tokens: vocabulary.tokens, frequencies: vocabulary.frequencies)
    }

    /// The vocabulary this file describes.
    public func vocabulary() throws -> Vocabulary {
        try Vocabulary(tokens: tokens, frequencies: frequencies)
    }

    /// The file's bytes: pretty-printed JSON with sorted keys, so equal vocabularies give
    /// byte-identical files.
    public func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        var data = try encoder.encode(self)
        data.append(0x0A)
        return data
    }

    /// Writes the file atomically.
    public func save(to path: String) throws {
        try AtomicFile.write(try encoded(), to: path)
    }

    /// Reads and checks a vocabulary file.
    public static func load(from path: String) throws -> VocabularyFile {
        guard let data = FileManager.default.contents(atPath: path) else {
            var isDirectory: ObjCBool = false
            let exists = FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory)
            throw TextError.unreadable(path: path, reason: !exists ? "no such file" : isDirectory.boolValue ? "is a directory" : "permission denied")
        }
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: data)
        } catch {
            throw TextError.notAVocabulary(path: path, reason: "not valid JSON")
        }
        guard let dictionary = object as? [String: Any], dictionary["format"] as? String == formatName else {
            throw TextError.notAVocabulary(path: path, reason: "no \"format\": \"\(formatName)\" field")
        }
        guard let version = dictionary["version"] as? Int, version == currentVersion else {
            throw TextError.notAVocabulary(path: path, reason: "format version \(dictionary["version"] ?? "missing"), this LMKit reads version \(currentVersion)")
        }
        let file: VocabularyFile
        do {
            file = try JSONDecoder().decode(VocabularyFile.self, from: data)
        } catch let DecodingError.keyNotFound(key, context) {
            throw TextError.notAVocabulary(path: path, reason: "missing field \(describe(context.codingPath + [key]))")
        } catch let DecodingError.typeMismatch(_, context), let DecodingError.valueNotFound(_, context) {
            throw TextError.notAVocabulary(path: path, reason: "wrong type at \(describe(context.codingPath))")
        } catch let DecodingError.dataCorrupted(context) {
            throw TextError.notAVocabulary(path: path, reason: "bad value at \(describe(context.codingPath)): \(context.debugDescription)")
        }
        do {
            _ = try file.vocabulary()
        } catch let error as TextError {
            throw TextError.notAVocabulary(path: path, reason: error.description)
        }
        return file
    }

    private static func describe(_ path: [any CodingKey]) -> String {
        path.isEmpty ? "the top level" : path.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".")
    }
}
