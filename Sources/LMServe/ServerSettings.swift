/// What `lm-serve` is asked to do: which runs to serve, where to listen, and the limits that
/// keep one client from taking the server. Validated once by ``validate()``; errors name the
/// field (`serve.limits.rows`), the tool maps fields to its flags.
public struct ServerSettings: Sendable, Equatable {
    /// Run directories to load, each served under its folder's name (`runs/ptb` → `ptb`).
    public var models: [String]
    /// The address to bind: loopback unless told otherwise.
    public var host: String
    /// The TCP port (0: any free port, reported when the server is up).
    public var port: Int
    /// Bounds on requests and load.
    public var limits: Limits

    /// Bounds on one request and on the load a model takes.
    public struct Limits: Sendable, Equatable {
        /// Largest `max_tokens` a request may ask (new tokens per choice).
        public var maxTokens: Int
        /// Largest prompt, in tokens after the model's preprocessing.
        public var maxPromptTokens: Int
        /// Largest request body, in bytes.
        public var maxBodyBytes: Int
        /// Sequences one model steps together (rows of its batch); more wait in the queue.
        public var rows: Int
        /// Sequences that may wait for a row, per model; beyond that a request gets 429.
        public var queue: Int
        /// Largest `n` (choices per request).
        public var maxChoices: Int

        /// Defaults: 2,048 new tokens, 8,192 prompt tokens, 1 MiB bodies, 32 rows, 256 waiting, n ≤ 8.
        public init(maxTokens: Int = 2048, maxPromptTokens: Int = 8192, maxBodyBytes: Int = 1 << 20, rows: Int = 32,
                    queue: Int = 256, maxChoices: Int = 8) {
            self.maxTokens = maxTokens
            self.maxPromptTokens = maxPromptTokens
            self.maxBodyBytes = maxBodyBytes
            self.rows = rows
            self.queue = queue
            self.maxChoices = maxChoices
        }
    }

    public init(models: [String], host: String = "127.0.0.1", port: Int = 8080, limits: Limits = Limits()) {
        self.models = models
        self.host = host
        self.port = port
        self.limits = limits
    }

    /// The name a run is served under: its directory's last component.
    public static func modelName(of path: String) -> String {
        let trimmed = path.hasSuffix("/") ? String(path.dropLast()) : path
        return trimmed.split(separator: "/").last.map(String.init) ?? trimmed
    }

    /// Throws ``ServeError/setting(_:_:)`` naming the first field out of range.
    public func validate() throws {
        guard !models.isEmpty else { throw ServeError.setting("serve.models", "give at least one run directory to serve") }
        var seen: [String: String] = [:]
        for path in models {
            let name = Self.modelName(of: path)
            if let other = seen[name] {
                throw ServeError.setting("serve.models", "\(other) and \(path) would both be served as \(name.debugDescription); rename one directory")
            }
            seen[name] = path
        }
        guard !host.isEmpty else { throw ServeError.setting("serve.host", "the address to bind is empty") }
        guard (0...65535).contains(port) else { throw ServeError.setting("serve.port", "must be in 0...65535 (got \(port))") }
        for (value, field, bound) in [(limits.maxTokens, "serve.limits.maxTokens", 1 << 20), (limits.maxPromptTokens, "serve.limits.maxPromptTokens", 1 << 24),
                                      (limits.maxBodyBytes, "serve.limits.maxBodyBytes", 1 << 30), (limits.rows, "serve.limits.rows", 4096),
                                      (limits.maxChoices, "serve.limits.maxChoices", 256)] {
            guard value >= 1 && value <= bound else { throw ServeError.setting(field, "must be in 1...\(bound) (got \(value))") }
        }
        guard (0...(1 << 20)).contains(limits.queue) else {
            throw ServeError.setting("serve.limits.queue", "must be in 0...\(1 << 20) (got \(limits.queue))")
        }
    }
}
