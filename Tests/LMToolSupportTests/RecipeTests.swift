import Foundation
import LMSettings
import LMText
import Testing
@testable import LMToolSupport

/// Recipe files: their syntax, how `--recipe` finds one, and every recipe in `recipes/` as
/// settings that validate.
@Suite struct RecipeTests {
    /// The checkout's `recipes/`.
    static let shipped = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("recipes").path
    static let names = Recipe.available(in: [shipped])

    @Test func optionsCommentsAndBlankLines() throws {
        let recipe = try Recipe(name: "r", path: "r.txt", text: "# a source\n--model lstm --hidden 8   # a note\n\n\t--lr 0.5\r\n")
        #expect(recipe.arguments == ["--model", "lstm", "--hidden", "8", "--lr", "0.5"])
        #expect(try Recipe(name: "r", path: "r.txt", text: "").arguments.isEmpty)
        // Saved on Windows: "\r\n" is one Character in Swift.
        #expect(try Recipe(name: "r", path: "r.txt", text: "--model gru\r\n--lr 1\r\n").arguments == ["--model", "gru", "--lr", "1"])
    }

    @Test func aLineThatIsNotAnOptionOrNamesARecipeIsRefusedByItsNumber() {
        #expect(throws: TextError.invalidSetting("r.txt:2: \"lstm\" is not an option; a recipe line starts with --name")) {
            try Recipe(name: "r", path: "r.txt", text: "--model\nlstm\n")
        }
        #expect(throws: TextError.invalidSetting("r.txt:1: a recipe cannot name another recipe")) {
            try Recipe(name: "r", path: "r.txt", text: "--lr 1 --recipe other\n")
        }
    }

    /// The recipe's options go first, so that the command line's own override them.
    @Test func expansionPutsTheRecipeFirst() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("recipes-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try "--model gru\n--lr 2\n".write(toFile: folder + "/small.txt", atomically: true, encoding: .utf8)
        let environment = ["LM_RECIPES": folder]
        #expect(try Recipe.expand(["c.txt", "--recipe", "small", "--lr", "3"], environment: environment)
                == ["--model", "gru", "--lr", "2", "c.txt", "--recipe", "small", "--lr", "3"])
        #expect(try Recipe.expand(["c.txt", "--recipe=small"], environment: environment).prefix(4) == ["--model", "gru", "--lr", "2"])
        #expect(try Recipe.expand(["c.txt", "--", "--recipe", "small"], environment: environment) == ["c.txt", "--", "--recipe", "small"])
        #expect(throws: TextError.invalidSetting("--recipe is given 2 times; give one recipe and override its options with flags")) {
            try Recipe.expand(["--recipe", "small", "--recipe", "small"], environment: environment)
        }
        #expect(throws: TextError.self) { try Recipe.expand(["--recipe", "../small"], environment: environment) }
        do {
            _ = try Recipe.expand(["--recipe", "large"], environment: environment)
            Issue.record("an unknown recipe was accepted")
        } catch {
            #expect("\(error)".contains("--recipe large: no such recipe; recipes: small"), "\(error)")
        }
    }

    /// Every shipped recipe parses as lm-train's flags into settings that validate, so that a
    /// recipe cannot fail only when someone runs it.
    @Test(arguments: names) func everyShippedRecipeGivesValidSettings(name: String) throws {
        let recipe = try Recipe(named: name, environment: ["LM_RECIPES": Self.shipped])
        let options = try TrainingCommandOptions.parse(["corpus"] + recipe.arguments)
        var settings = options.settings
        settings.model.vocabularySize = 50
        try settings.validate()
        #expect(settings.data.corpus == "corpus")
    }

    @Test func theRecipesAreThere() {
        #expect(Self.names.count >= 15, "\(Self.names)")
        #expect(Self.names.contains("awd-lstm") && Self.names.contains("ptb-hour") && Self.names.contains("shakespeare-10min"))
    }
}
