import CUtf8proc
import Foundation
import LMFileSystem

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
    /// Tokens by id; `<unk>` among them (id 0 in a vocabulary LMKit builds).
    public var tokens: [String]
    /// Corpus count per id (for `<unk>`: the tokens outside the vocabulary).
    public var frequencies: [Int]

    /// Counts the file at `path` through `pipeline` and builds its vocabulary.
    public static func build(corpus path: String, pipeline: TextPipeline, settings: Settings) throws -> VocabularyFile {
        try build(corpus: try TextInput(path: path), pipeline: pipeline, settings: settings)
    }

    /// Counts an opened input through `pipeline` and builds its vocabulary.
    /// - Throws: ``TextError/invalidSetting(_:)`` when nothing is left after preprocessing.
    public static func build(corpus input: TextInput, pipeline: TextPipeline, settings: Settings) throws -> VocabularyFile {
        let counts = try TokenCounts(input: input, pipeline: pipeline)
        guard counts.total > 0 else {
            throw TextError.invalidSetting("\(input.path): no tokens after preprocessing (\(pipeline.summary)); "
                + "the file is empty or the preset keeps nothing of it (try data.pipeline.preset raw)")
        }
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

    /// Writes the file atomically; `path` may not be one of `inputs` (``InputFiles``).
    public func save(to path: String, sparing inputs: InputFiles = InputFiles()) throws {
        try AtomicFile.write(try encoded(), to: path, sparing: inputs)
    }

    /// Reads and checks a vocabulary file.
    public static func load(from path: String) throws -> VocabularyFile {
        let data = try FileAccess.contents(of: path)
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
            if let (field, number) = firstNonInteger(in: dictionary, at: "") {
                throw TextError.notAVocabulary(path: path, reason: "\(field) is \(number), not a whole number in range (every number in a vocabulary file is a count or a size below 2^63)")
            }
            throw TextError.notAVocabulary(path: path, reason: "bad value at \(describe(context.codingPath)): \(context.debugDescription)")
        }
        do {
            _ = try file.vocabulary()
        } catch let error as TextError {
            throw TextError.notAVocabulary(path: path, reason: error.description)
        }
        if let reason = file.implausibility { throw TextError.notAVocabulary(path: path, reason: reason) }
        return file
    }

    /// What makes a decoded file impossible as a built vocabulary: a negative count, or (at
    /// character level) a token other than `<unk>`, a reserved token and `<eos>` that is not
    /// one grapheme cluster as the character tokenizer splits text; nil when it is plausible.
    var implausibility: String? {
        if let id = frequencies.firstIndex(where: { $0 < 0 }) {
            return "frequencies.\(id) is \(frequencies[id]); counts cannot be negative"
        }
        guard pipeline.level == .char else { return nil }
        let special = Set([Vocabulary.unknownToken, TextPipeline.endOfLineToken] + settings.reserved)
        let tokenizer = CharacterTokenizer()
        for (id, token) in tokens.enumerated() where !special.contains(token) {
            var list = TokenList()
            var bytes = Array(token.utf8)
            bytes.withUnsafeMutableBufferPointer { tokenizer.tokenize(UnsafeBufferPointer($0), isASCII: false, into: &list) }
            if list.tokens.count != 1 {
                return "tokens.\(id) \(token.debugDescription) is \(list.tokens.count) characters, but a character-level vocabulary holds single characters (grapheme clusters)"
            }
        }
        return nil
    }

    /// The first number (by field path, e.g. `frequencies.3`) that is not an `Int`: the
    /// decoder reports such a number only as "not valid JSON".
    private static func firstNonInteger(in value: Any, at field: String) -> (String, String)? {
        func join(_ key: String) -> String { field.isEmpty ? key : field + "." + key }
        if let dictionary = value as? [String: Any] {
            for (key, element) in dictionary.sorted(by: { $0.key < $1.key }) {
                if let found = firstNonInteger(in: element, at: join(key)) { return found }
            }
        } else if let array = value as? [Any] {
            for (index, element) in array.enumerated() {
                if let found = firstNonInteger(in: element, at: join(String(index))) { return found }
            }
        } else if let number = value as? NSNumber {   // booleans are 0 and 1, whole numbers
            let double = number.doubleValue
            if !(double.rounded() == double && abs(double) < 9.2e18) { return (field, "\(number)") }
        }
        return nil
    }

    private static func describe(_ path: [any CodingKey]) -> String {
        path.isEmpty ? "the top level" : path.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".")
    }
}
