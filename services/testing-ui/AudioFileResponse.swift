import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import ServiceKit

/// A run's Ogg file with HTTP range support. A browser learns an Ogg file's length by reading its
/// last page, which it fetches with `Range: bytes=...`; served whole only, the player shows an
/// unknown (infinite) duration and cannot seek. One range per request, as players ask.
struct AudioFileResponse: ResponseGenerator, Sendable {
    let bytes: [UInt8]
    let filename: String

    func response(from request: Request, context: some RequestContext) throws -> Response {
        var headers: HTTPFields = [
            .contentType: MediaType.oggOpus, .acceptRanges: "bytes", .cacheControl: "no-store",
            .contentDisposition: "inline; filename=\"\(filename)\"",
        ]
        guard let header = request.headers[.range] else {
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
        }
        guard let range = Self.range(header, size: bytes.count) else {
            headers[.contentRange] = "bytes */\(bytes.count)"
            return Response(status: .rangeNotSatisfiable, headers: headers)
        }
        headers[.contentRange] = "bytes \(range.lowerBound)-\(range.upperBound)/\(bytes.count)"
        return Response(status: .partialContent, headers: headers,
                        body: .init(byteBuffer: ByteBuffer(bytes: bytes[range])))
    }

    /// `bytes=a-b`, `bytes=a-` or `bytes=-n` within a file of `size` bytes; nil when it cannot be served.
    static func range(_ header: String, size: Int) -> ClosedRange<Int>? {
        guard size > 0, header.hasPrefix("bytes="), !header.contains(",") else { return nil }
        let parts = header.dropFirst("bytes=".count).split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2 else { return nil }
        let first = Int(parts[0].trimmingCharacters(in: .whitespaces))
        let last = Int(parts[1].trimmingCharacters(in: .whitespaces))
        switch (first, last) {
        case let (start?, end?) where start <= end && start < size: return start...min(end, size - 1)
        case let (start?, nil) where parts[1].isEmpty && start < size: return start...(size - 1)
        case let (nil, suffix?) where parts[0].isEmpty && suffix > 0: return max(0, size - suffix)...(size - 1)
        default: return nil
        }
    }
}
