import Foundation
import HTTPTypes
import Hummingbird
import Logging
import SwitchboardCore
import SwitchboardRouting

/// Turns every error a handler throws into a JSON error body `{"error", "field"}` with the
/// right status: ``HTTPStatusProviding`` errors choose their own, Hummingbird's `HTTPError`s
/// keep theirs, and anything else is a `500` with the cause logged (never sent).
struct JSONErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        do {
            return try await next(request, context)
        } catch let error as APIError {
            return HTTPResponses.json(error.httpStatus, ErrorBody(error: error.message, field: error.field), headers: error.headers)
        } catch let error as any HTTPStatusProviding {
            let field = (error as? ValidationError)?.field ?? (error as? RoutingError)?.field
            return HTTPResponses.json(error.httpStatus, ErrorBody(error: "\(error)", field: field))
        } catch let error as any HTTPResponseError {
            let status = Int(error.status.code)
            let message = status == 413 ? "request body is larger than this endpoint accepts" : error.status.reasonPhrase
            return HTTPResponses.json(status, ErrorBody(error: message))
        } catch {
            context.logger.error(
                "request failed", metadata: ["sb.path": "\(request.uri.path)", "sb.error": "\(error)"])
            return HTTPResponses.json(500, ErrorBody(error: "internal error; see the gateway log"))
        }
    }
}

/// Building Hummingbird responses from our values.
enum HTTPResponses {
    static func json(_ status: Int, _ value: some Encodable, headers: [(name: String, value: String)] = []) -> Response {
        let data = (try? JSONEncoder.switchboard.encode(value)) ?? Data("{}".utf8)
        return raw(status, body: data, headers: [(name: "Content-Type", value: "application/json")] + headers)
    }

    static func raw(_ status: Int, body: Data, headers: [(name: String, value: String)]) -> Response {
        var fields = HTTPFields()
        for header in headers {
            if let name = HTTPField.Name(header.name) { fields.append(HTTPField(name: name, value: header.value)) }
        }
        return Response(
            status: HTTPResponse.Status(code: status), headers: fields, body: ResponseBody(byteBuffer: ByteBuffer(bytes: body)))
    }
}
