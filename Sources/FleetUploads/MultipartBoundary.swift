/// The `boundary` parameter of a `multipart/form-data` Content-Type header.
public enum MultipartBoundary {
    /// The boundary, unquoted (RFC 2046 allows quotes), or nil when it is missing or not 1 to 70
    /// characters long as RFC 2046 requires.
    public static func value(in contentType: String) -> String? {
        MultipartPart.parameter("boundary", in: contentType).flatMap { (1...70).contains($0.count) ? $0 : nil }
    }
}
