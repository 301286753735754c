import Foundation
import LMFileSystem
import LMText

/// A named training configuration: a file `recipes/NAME.txt` of command-line options, one or
/// more per line, with `#` comments (each recipe cites its source and the published figure).
/// `--recipe NAME` puts the recipe's options before the command line's own, so that anything
/// given on the command line overrides the recipe (for a single-valued option the last value
/// is the one used).
///
/// Recipes are looked up in `$LM_RECIPES` (bin/ wrappers set it to the checkout's
/// `recipes/`), then `recipes/` in the current directory, then the `recipes/` of the checkout
/// the executable was built in (`<checkout>/.build/<configuration>/<tool>`).
public struct Recipe: Equatable, Sendable {
    /// The recipe's name (its file name without `.txt`).
    public let name: String
    /// The file it was read from.
    public let path: String
    /// Its options, in order, as separate arguments.
    public let arguments: [String]

    /// Reads recipe `name` from the first recipe directory that has it.
    /// - Throws: ``TextError/invalidSetting(_:)`` naming the recipes there are, or the bad line.
    public init(named name: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        let directories = Self.directories(environment: environment)
        guard !name.isEmpty, !name.contains("/"), let path = directories.map({ $0 + "/" + name + ".txt" })
                .first(where: { FileManager.default.fileExists(atPath: $0) }) else {
            let known = Self.available(in: directories)
            let list = known.isEmpty ? "no recipe directory found (looked in \(directories.joined(separator: ", ")))" : "recipes: \(known.joined(separator: ", "))"
            throw TextError.invalidSetting("--recipe \(name): no such recipe; \(list)")
        }
        try self.init(name: name, path: path, text: String(decoding: try FileAccess.contents(of: path), as: UTF8.self))
    }

    /// Parses a recipe's text: whitespace-separated options; `#` starts a comment; every
    /// argument that is not an option's value must start with `--`; no `--recipe` inside.
    public init(name: String, path: String, text: String) throws {
        var arguments: [String] = []
        // Lines end at any newline, "\r\n" included (one Character in Swift, which "\n" does not match).
        for (number, line) in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            let code = line.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
            let words = code.split(whereSeparator: \.isWhitespace).map(String.init)
            guard let first = words.first else { continue }
            guard first.hasPrefix("--") else {
                throw TextError.invalidSetting("\(path):\(number + 1): \"\(first)\" is not an option; a recipe line starts with --name")
            }
            if words.contains("--recipe") {
                throw TextError.invalidSetting("\(path):\(number + 1): a recipe cannot name another recipe")
            }
            arguments += words
        }
        self.name = name
        self.path = path
        self.arguments = arguments
    }

    /// `arguments` (a command line without the program name) with the recipe named by its
    /// `--recipe NAME` or `--recipe=NAME` put first; unchanged when there is none.
    public static func expand(_ arguments: [String], environment: [String: String] = ProcessInfo.processInfo.environment) throws -> [String] {
        var names: [String] = []
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            if argument == "--" { break }
            if argument == "--recipe", index + 1 < arguments.count {
                names.append(arguments[index + 1]); index += 2; continue
            }
            if argument.hasPrefix("--recipe=") { names.append(String(argument.dropFirst("--recipe=".count))) }
            index += 1
        }
        guard let name = names.last else { return arguments }
        if names.count > 1 { throw TextError.invalidSetting("--recipe is given \(names.count) times; give one recipe and override its options with flags") }
        return try Recipe(named: name, environment: environment).arguments + arguments
    }

    /// The recipe directories, in lookup order.
    static func directories(environment: [String: String]) -> [String] {
        var result: [String] = []
        if let path = environment["LM_RECIPES"], !path.isEmpty { result.append(path) }
        result.append("recipes")
        let executable = URL(fileURLWithPath: CommandLine.arguments.first ?? "").resolvingSymlinksInPath()
        let checkout = executable.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        result.append(checkout.appendingPathComponent("recipes").path)
        return result
    }

    /// Names of the recipes in the first of `directories` that holds any.
    static func available(in directories: [String]) -> [String] {
        for directory in directories {
            let names = ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [])
                .filter { $0.hasSuffix(".txt") }.map { String($0.dropLast(4)) }.sorted()
            if !names.isEmpty { return names }
        }
        return []
    }
}
