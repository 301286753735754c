import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A minimal HTTP/1.1 client over a POSIX socket, enough to drive `lm-serve` in tests the way a
/// client does: a request, the status, headers and (de-chunked) body, server-sent events as
/// they arrive, and hanging up in the middle of a stream.
final class HTTPClient: @unchecked Sendable {
    struct Reply {
        let status: Int
        let headers: [String: String]
        let body: Data
        var text: String { String(decoding: body, as: UTF8.self) }
        /// The body as a JSON object.
        var json: [String: Any] { (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] ?? [:] }
        /// The `error` object of an error body.
        var error: [String: Any] { json["error"] as? [String: Any] ?? [:] }
        /// The `data:` payloads of a server-sent event stream.
        var events: [String] { HTTPClient.events(in: text) }
    }

    enum Failure: Error { case connect(Int32), closed }

    private let socket: Int32
    private var buffer = Data()

    init(port: Int) throws {
        socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard result == 0 else {
            close(socket)
            throw Failure.connect(errno)
        }
    }

    deinit { close(socket) }

    /// Sends a request (`Connection: close`).
    func send(_ method: String, _ path: String, body: Data? = nil, headers: [String: String] = [:]) {
        var head = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        if let body { head += "Content-Type: application/json\r\nContent-Length: \(body.count)\r\n" }
        var bytes = Data((head + "\r\n").utf8)
        if let body { bytes.append(body) }
        bytes.withUnsafeBytes { raw in
            var sent = 0
            while sent < raw.count {
                let n = Glibc.send(socket, raw.baseAddress! + sent, raw.count - sent, Int32(MSG_NOSIGNAL))
                if n <= 0 { return }
                sent += n
            }
        }
    }

    /// Reads until the server closes the connection.
    func readAll() -> Reply {
        while readMore() {}
        return Self.parse(buffer)
    }

    /// Reads until `count` server-sent events have arrived (or the connection closes); returns them.
    func readEvents(_ count: Int) -> [String] {
        while Self.parse(buffer).events.count < count && readMore() {}
        return Self.parse(buffer).events
    }

    /// Hangs up.
    func disconnect() { shutdown(socket, Int32(SHUT_RDWR)) }

    private func readMore() -> Bool {
        var chunk = [UInt8](repeating: 0, count: 65536)
        let n = recv(socket, &chunk, chunk.count, 0)
        guard n > 0 else { return false }
        buffer.append(contentsOf: chunk[0..<n])
        return true
    }

    /// One request on a new connection.
    static func request(port: Int, _ method: String, _ path: String, json: String? = nil) async throws -> Reply {
        let client = try HTTPClient(port: port)
        client.send(method, path, body: json.map { Data($0.utf8) })
        return await client.all()
    }

    /// ``readAll()`` off Swift's cooperative pool.
    func all() async -> Reply { await Self.offPool { self.readAll() } }

    /// ``readEvents(_:)`` off Swift's cooperative pool.
    func events(_ count: Int) async -> [String] { await Self.offPool { self.readEvents(count) } }

    /// Runs blocking socket work on a thread of its own: the in-process server's handlers run
    /// on Swift's cooperative pool (as many threads as cores), which a blocked test must not hold.
    static func offPool<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            Thread { continuation.resume(returning: work()) }.start()
        }
    }

    static func parse(_ data: Data) -> Reply {
        guard let end = data.range(of: Data("\r\n\r\n".utf8)) else { return Reply(status: 0, headers: [:], body: data) }
        let lines = String(decoding: data[..<end.lowerBound], as: UTF8.self).components(separatedBy: "\r\n")
        let status = Int(lines.first?.split(separator: " ").dropFirst().first ?? "") ?? 0
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        var body = Data(data[end.upperBound...])
        if headers["transfer-encoding"]?.lowercased() == "chunked" { body = dechunk(body) }
        return Reply(status: status, headers: headers, body: body)
    }

    static func dechunk(_ data: Data) -> Data {
        var out = Data()
        var rest = data[...]
        while let line = rest.range(of: Data("\r\n".utf8)) {
            guard let size = Int(String(decoding: rest[..<line.lowerBound], as: UTF8.self), radix: 16), size > 0 else { break }
            let start = line.upperBound
            guard rest.distance(from: start, to: rest.endIndex) >= size else { out.append(rest[start...]); break }
            let end = rest.index(start, offsetBy: size)
            out.append(rest[start..<end])
            rest = rest[min(rest.index(end, offsetBy: 2, limitedBy: rest.endIndex) ?? rest.endIndex, rest.endIndex)...]
        }
        return out
    }

    static func events(in text: String) -> [String] {
        text.components(separatedBy: "\n\n").compactMap { block in
            block.components(separatedBy: "\n").first { $0.hasPrefix("data: ") }.map { String($0.dropFirst(6)) }
        }
    }
}
