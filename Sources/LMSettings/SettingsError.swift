/// A setting that cannot work: what is wrong (``problem``), which setting (``key``, a key path
/// into ``TrainingSettings`` such as `optimizer.lr` or `model.dropout.hidden`), and a message
/// whose mentions of settings are key paths, so a tool can name them its own way
/// (``message(naming:)``: `lm-train` says `--lr` where the library says `optimizer.lr`).
public struct SettingsError: Error, Equatable, Sendable, CustomStringConvertible {
    /// What is wrong with the setting.
    public enum Problem: String, Equatable, Sendable {
        /// A value outside its range (a count below 1, a probability outside [0, 1), …).
        case outOfRange
        /// Two settings that exclude each other.
        case conflict
        /// A setting that needs another one (or another value of it).
        case requires
        /// A name that none of the known values has (a cell kind no cell is registered for).
        case unknown
    }

    public var problem: Problem
    /// The setting at fault, as a key path (`optimizer.lr`).
    public var key: String
    /// What to tell the user, with settings named by key path.
    public var text: SettingsText

    public init(_ problem: Problem, _ key: String, _ text: SettingsText) {
        self.problem = problem
        self.key = key
        self.text = text
    }

    /// The message with every setting named by `name(keyPath)`.
    public func message(naming name: (String) -> String) -> String { text.rendered(naming: name) }

    /// The message with settings named by their key paths.
    public var description: String { message { $0 } }
}

/// A message that names settings: plain text and key paths, so whoever prints it chooses how
/// a setting is called. Written as a string with `\(setting: "optimizer.lr")` interpolations.
public struct SettingsText: Equatable, Sendable, ExpressibleByStringInterpolation {
    /// A run of text, or a setting's key path.
    public enum Part: Equatable, Sendable {
        case text(String)
        case setting(String)
    }

    public var parts: [Part]

    public init(stringLiteral value: String) { parts = [.text(value)] }

    public init(stringInterpolation: Interpolation) { parts = stringInterpolation.parts }

    /// The text with each setting written as `name(keyPath)`.
    public func rendered(naming name: (String) -> String) -> String {
        parts.map { part in
            switch part {
            case .text(let text): text
            case .setting(let key): name(key)
            }
        }.joined()
    }

    /// Collects text and `\(setting:)` key paths.
    public struct Interpolation: StringInterpolationProtocol {
        var parts: [Part] = []
        public init(literalCapacity: Int, interpolationCount: Int) {}
        public mutating func appendLiteral(_ literal: String) { append(literal) }
        public mutating func appendInterpolation(setting key: String) { parts.append(.setting(key)) }
        public mutating func appendInterpolation<T>(_ value: T) { append("\(value)") }

        /// Text joins the text before it, so equal messages have equal parts.
        mutating func append(_ text: String) {
            guard !text.isEmpty else { return }
            if case .text(let previous)? = parts.last { parts[parts.count - 1] = .text(previous + text) } else { parts.append(.text(text)) }
        }
    }
}
