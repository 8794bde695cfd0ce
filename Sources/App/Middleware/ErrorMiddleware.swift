import CarteraCore
import Hummingbird
import Logging

/// Turns every error into the API's JSON error shape. Unknown errors become a 500 whose text reveals nothing
/// internal; their details go to the log with the request id.
struct ErrorMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as APIError {
            if error.status.code >= 500 { context.logger.error("request failed", metadata: ["code": "\(error.code)"]) }
            return error.response(requestID: context.requestID)
        } catch let error as any CarteraError {
            return APIError(error).response(requestID: context.requestID)
        } catch let error as any HTTPResponseError {
            return APIError.from(httpStatus: error.status, detail: nil).response(requestID: context.requestID)
        } catch {
            context.logger.error("unhandled error", metadata: ["error": "\(String(reflecting: error))"])
            return APIError.from(httpStatus: .internalServerError, detail: nil).response(requestID: context.requestID)
        }
    }
}
