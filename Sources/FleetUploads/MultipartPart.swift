/// One part of a `multipart/form-data` body (RFC 7578): its header lines and its bytes.
///
/// A module of its own, without Hummingbird or Foundation, so the fuzz target can link the very
/// parser stt runs on uploads without building an HTTP server (Tests/Fuzz).
public struct MultipartPart: Sendable {
    /// Header lines as sent, names lowercased.
    public let headers: [(name: String, value: String)]
    public let body: [UInt8]

    public func header(_ name: String) -> String? {
        headers.first { $0.name == name }?.value
    }

    /// The form field's name: the `name` parameter of Content-Disposition.
    public var name: String? {
        header("content-disposition").flatMap { Self.parameter("name", in: $0) }
    }

    /// A parameter of a header value such as `form-data; name="file"` or
    /// `multipart/form-data; boundary=x`, unquoted (RFC 2045 allows a token or a quoted string).
    public static func parameter(_ name: String, in headerValue: String) -> String? {
        for parameter in headerValue.split(separator: ";").dropFirst() {
            let pair = parameter.split(separator: "=", maxSplits: 1)
            guard pair.count == 2, trimmed(pair[0]).lowercased() == name else { continue }
            let value = trimmed(pair[1])
            return value.count >= 2 && value.hasPrefix("\"") && value.hasSuffix("\"")
                ? String(value.dropFirst().dropLast()) : value
        }
        return nil
    }

    /// Why a body is not a well-formed multipart body.
    public struct Malformed: Error, Equatable {
        public let reason: String
    }

    /// At most this many header lines, and bytes of them, per part: a form field has two or three.
    public static let maxHeaderLines = 16
    public static let maxHeaderBytes = 8 * 1024

    /// Splits `body` into its parts. The preamble before the first delimiter and the epilogue after
    /// the closing one are ignored (RFC 2046 §5.1.1); a body without a closing delimiter is malformed.
    public static func parse(_ body: [UInt8], boundary: String) throws(Malformed) -> [MultipartPart] {
        let delimiter = Array("--\(boundary)".utf8)
        let crlf: [UInt8] = [13, 10]
        let blankLine = crlf + crlf
        let nextDelimiter = crlf + delimiter
        // The first delimiter starts the body or follows a CRLF; later ones always follow a CRLF.
        guard var cursor = body.starts(with: delimiter) ? 0
                : body.firstRange(of: nextDelimiter).map({ $0.lowerBound + 2 })
        else { throw Malformed(reason: "no '--\(boundary)' delimiter") }

        var parts: [MultipartPart] = []
        while true {
            cursor += delimiter.count
            if body[cursor...].starts(with: [45, 45]) { return parts }  // "--": the closing delimiter
            // Transport padding (spaces, tabs) may follow a delimiter before its CRLF.
            while cursor < body.count, body[cursor] == 32 || body[cursor] == 9 { cursor += 1 }
            guard body[cursor...].starts(with: crlf) else { throw Malformed(reason: "a delimiter is not followed by a line break") }
            cursor += 2

            // The headers end at an empty line; a part with no headers starts with that line.
            guard let headerEnd = body[cursor...].starts(with: crlf) ? cursor..<cursor + 2
                    : body[cursor...].firstRange(of: blankLine)
            else { throw Malformed(reason: "a part's headers do not end with an empty line") }
            let headers = try headerLines(body[cursor..<headerEnd.lowerBound])
            let contentStart = headerEnd.upperBound

            guard let next = body[contentStart...].firstRange(of: nextDelimiter) else {
                throw Malformed(reason: "no closing '--\(boundary)--' delimiter")
            }
            parts.append(MultipartPart(headers: headers, body: Array(body[contentStart..<next.lowerBound])))
            cursor = next.lowerBound + 2
        }
    }

    private static func headerLines(_ block: ArraySlice<UInt8>) throws(Malformed) -> [(name: String, value: String)] {
        guard !block.isEmpty else { return [] }
        guard block.count <= maxHeaderBytes else { throw Malformed(reason: "a part's headers are over \(maxHeaderBytes) bytes") }
        let lines = block.split(separator: [13, 10], omittingEmptySubsequences: false)
        guard lines.count <= maxHeaderLines else { throw Malformed(reason: "a part has more than \(maxHeaderLines) header lines") }
        return try lines.map { line throws(Malformed) in
            let text = String(decoding: line, as: UTF8.self)
            guard let colon = text.firstIndex(of: ":"), colon != text.startIndex else {
                throw Malformed(reason: "a part's header line has no name")
            }
            return (trimmed(text[..<colon]).lowercased(), trimmed(text[text.index(after: colon)...]))
        }
    }

    /// `text` without leading and trailing spaces and tabs (the only whitespace a header line holds).
    static func trimmed(_ text: some StringProtocol) -> String {
        let isBlank = { (character: Character) in character == " " || character == "\t" }
        guard let first = text.firstIndex(where: { !isBlank($0) }), let last = text.lastIndex(where: { !isBlank($0) }) else {
            return ""
        }
        return String(text[first...last])
    }
}
