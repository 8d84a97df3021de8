import MultipartKit
import NIOCore
import ServiceKit

/// The `file` field of a `multipart/form-data` upload, as the original's POST /transcribe took it.
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
        let parts = try parse(body, boundary: boundary)
        guard let part = parts.firstPart(named: fieldName) else {
            let names = parts.compactMap(\.name)
            throw FleetError.badRequest("The form has no '\(fieldName)' field"
                + (names.isEmpty ? "." : " (it has \(names.joined(separator: ", "))."))
        }
        let mediaType = part.headers.first(name: "content-type")
            .flatMap { $0.split(separator: ";").first }
            .map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        return MultipartUpload(bytes: Array(part.body.readableBytesView), mediaType: mediaType)
    }

    /// The `boundary` parameter of a Content-Type header, unquoted (RFC 2046 allows quotes).
    static func boundary(in contentType: String) -> String? {
        for parameter in contentType.split(separator: ";").dropFirst() {
            let pair = parameter.split(separator: "=", maxSplits: 1)
            guard pair.count == 2, pair[0].trimmingCharacters(in: .whitespaces).lowercased() == "boundary" else { continue }
            var value = pair[1].trimmingCharacters(in: .whitespaces)
            if value.count >= 2, value.hasPrefix("\""), value.hasSuffix("\"") { value = String(value.dropFirst().dropLast()) }
            // RFC 2046: 1 to 70 characters.
            return (1...70).contains(value.count) ? value : nil
        }
        return nil
    }

    private static func parse(_ body: [UInt8], boundary: String) throws -> [MultipartPart] {
        var parts: [MultipartPart] = []
        var headers = HTTPHeaders()
        var partBody = ByteBuffer()
        let parser = MultipartParser(boundary: boundary)
        parser.onHeader = { name, value in headers.add(name: name, value: value) }
        parser.onBody = { chunk in partBody.writeBuffer(&chunk) }
        parser.onPartComplete = {
            parts.append(MultipartPart(headers: headers, body: partBody))
            headers = HTTPHeaders()
            partBody = ByteBuffer()
        }
        do {
            try parser.execute(body)
        } catch {
            throw FleetError.badRequest("The multipart body is malformed: \(error)")
        }
        return parts
    }
}
