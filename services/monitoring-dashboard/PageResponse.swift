import HTTPTypes
import Hummingbird
import NIOCore
import ServiceKit

/// How the dashboard answers with a page: HTML that a browser revalidates every time (the pages
/// show live numbers), with the status the page is about — a 404 page is still a 404.
extension Response {
    static func page(_ html: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: MediaType.html, .cacheControl: "no-cache"],
                 body: ResponseBody(byteBuffer: ByteBuffer(string: html)))
    }
}

/// `body`'s value or its error, for a part of a page that shows the error in place of what
/// could not be read rather than failing the whole page.
func capture<T: Sendable>(_ body: () async throws -> T) async -> Result<T, any Error> {
    do {
        return .success(try await body())
    } catch {
        return .failure(error)
    }
}
