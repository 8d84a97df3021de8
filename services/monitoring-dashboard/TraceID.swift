/// A W3C trace id as the pages take it from a path or a turn report: 32 hex digits, not all zero
/// (the W3C's invalid id). Anything else is refused before it reaches the store or a link.
enum TraceID {
    /// The id in lowercase, or nil when it is not a trace id.
    static func normalized(_ text: String) -> String? {
        guard text.utf8.count == 32, text.utf8.allSatisfy(\.isHexDigit) else { return nil }
        let lower = text.lowercased()
        return lower == String(repeating: "0", count: 32) ? nil : lower
    }
}

extension UInt8 {
    fileprivate var isHexDigit: Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(self) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(self)
            || (UInt8(ascii: "A")...UInt8(ascii: "F")).contains(self)
    }
}
