import Foundation
import FuzzDriver
import LMText

/// Fuzz target: bytes as a corpus, through every preset × level (and `<eos>`, replacement of
/// invalid UTF-8). Each pipeline either throws `TextError.invalidUTF8` at an offset inside the
/// input or streams the same tokens as the in-memory path; raw characters concatenate back to the text.
let path = NSTemporaryDirectory() + "lmkit-fuzz-corpus-\(getpid()).txt"
let pipelines: [TextPipeline] = Preprocessor.Preset.allCases.flatMap { preset in
    TextPipeline.Level.allCases.flatMap { level in
        [TextPipeline(preprocessor: Preprocessor(preset: preset), level: level),
         TextPipeline(preprocessor: Preprocessor(preset: preset), level: level, wordSplitting: .unicode, endOfLine: true, replaceInvalidUTF8: true)]
    }
}

func check(_ data: Data) {
    _ = FileManager.default.createFile(atPath: path, contents: data)
    let text = String(validating: data, as: UTF8.self)
    for pipeline in pipelines {
        var streamed = TokenList()
        do {
            try pipeline.forEachToken(inFile: path, into: &streamed)
        } catch let TextError.invalidUTF8(_, offset) {
            precondition(text == nil && !pipeline.replaceInvalidUTF8 && (0..<data.count).contains(offset), "invalid UTF-8 reported at \(offset) of \(data.count)")
            continue
        } catch { fatalError("\(pipeline.summary): unexpected error \(error)") }
        guard let text else { continue }
        guard let inMemory = try? pipeline.tokens(of: text) else { fatalError("\(pipeline.summary): in-memory path threw") }
        precondition(inMemory == streamed.tokens, "\(pipeline.summary): streamed tokens differ from in-memory tokens")
        if pipeline.preprocessor.preset == .raw, pipeline.level == .char, !pipeline.endOfLine {
            precondition(streamed.tokens.joined() == text, "raw characters do not concatenate to the text")
        }
    }
}

/// Seeds: bin/fuzz writes the text seeds.
func writeSeeds(to directory: String) throws {}

@main struct FuzzTextPipeline {
    static func main() { FuzzDriver.main(check: check, writeSeeds: writeSeeds(to:)) }
}
