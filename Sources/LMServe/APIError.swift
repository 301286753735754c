import Foundation
import Hummingbird

/// An error answered to a client, as OpenAI's API answers them:
/// `{"error": {"message": …, "type": …, "param": …, "code": …}}` with a 4xx or 5xx status,
/// `Retry-After` on overload.
public struct APIError: Error, HTTPResponseError, Equatable {
    public let status: HTTPResponse.Status
    public let message: String
    /// `invalid_request_error`, `not_found_error`, `rate_limit_error`, `server_error`, …
    public let type: String
    /// The request field at fault, if one is.
    public let param: String?
    /// A short machine-readable code (`model_not_found`, `overloaded`, …).
    public let code: String?
    /// Seconds after which a retry may succeed (overload and shutdown).
    public let retryAfter: Int?

    public init(_ status: HTTPResponse.Status, _ message: String, type: String = "invalid_request_error",
                param: String? = nil, code: String? = nil, retryAfter: Int? = nil) {
        self.status = status
        self.message = message
        self.type = type
        self.param = param
        self.code = code
        self.retryAfter = retryAfter
    }

    /// A 400 naming the field `param`: "`param` `problem`" (e.g. "max_tokens must be an integer").
    public static func invalid(_ param: String, _ problem: String) -> APIError {
        APIError(.badRequest, "\(param) \(problem)", param: param, code: "invalid_value")
    }

    /// The JSON body.
    var body: Data {
        struct Body: Encodable {
            struct Detail: Encodable {
                let message: String, type: String, param: String?, code: String?
                func encode(to encoder: any Encoder) throws {
                    var c = encoder.container(keyedBy: CodingKeys.self)
                    try c.encode(message, forKey: .message)
                    try c.encode(type, forKey: .type)
                    try c.encode(param, forKey: .param)  // null when absent, as OpenAI
                    try c.encode(code, forKey: .code)
                }
                enum CodingKeys: String, CodingKey { case message, type, param, code }
            }
            let error: Detail
        }
        return (try? JSON.encoder.encode(Body(error: .init(message: message, type: type, param: param, code: code)))) ?? Data()
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var headers: HTTPFields = [.contentType: "application/json"]
        if let retryAfter { headers[.retryAfter] = String(retryAfter) }
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: body)))
    }
}

/// The server's JSON encoding: keys sorted (stable bodies), slashes unescaped.
enum JSON {
    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()
}
