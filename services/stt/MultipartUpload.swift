import FleetUploads
import Foundation
import ServiceKit

/// The `file` field of a `multipart/form-data` upload, as the original's POST /transcribe took it.
///
/// The form is read here rather than with multipart-kit: that package builds the whole
/// swift-collections umbrella (rope, hash-tree, bit and heap collections) for one dictionary, about
/// 25 s of a 5-minute first build, and this endpoint needs one field of a body already in memory
/// (docs/performance.md). The reader (FleetUploads, where the fuzz target reaches it too) follows
/// RFC 7578 / RFC 2046 strictly; here its failures become a 400.
struct MultipartUpload {
    let bytes: [UInt8]
    /// The part's own Content-Type, without parameters; browsers send audio/wav, curl often nothing.
    let mediaType: String?

    static let fieldName = "file"

    /// Extracts the `file` part of `body`; `contentType` is the request's header, which carries the boundary.
    static func extract(from body: [UInt8], contentType: String?) throws -> MultipartUpload {
        guard let boundary = contentType.flatMap(boundary(in:)) else {
            throw FleetError.badRequest("multipart/form-data needs a boundary parameter in its Content-Type.")
        }
        guard !body.isEmpty else {
            throw FleetError.badRequest("The form is empty; send the audio in a field named '\(fieldName)'.")
        }
        let parts: [MultipartPart]
        do {
            parts = try MultipartPart.parse(body, boundary: boundary)
        } catch {
            throw FleetError.badRequest("The multipart body is malformed: \(error.reason)")
        }
        guard let part = parts.first(where: { $0.name == fieldName }) else {
            let names = parts.compactMap(\.name)
            throw FleetError.badRequest("The form has no '\(fieldName)' field"
                + (names.isEmpty ? "." : " (it has \(names.joined(separator: ", "))."))
        }
        let mediaType = part.header("content-type")
            .flatMap { $0.split(separator: ";").first }
            .map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        return MultipartUpload(bytes: part.body, mediaType: mediaType)
    }

    /// The `boundary` parameter of a Content-Type header, unquoted (RFC 2046 allows quotes).
    static func boundary(in contentType: String) -> String? {
        MultipartBoundary.value(in: contentType)
    }
}
