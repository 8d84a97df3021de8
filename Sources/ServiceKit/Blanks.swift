extension StringProtocol {
    /// Without leading and trailing spaces and tabs: what HTTP headers and the Prometheus text
    /// format call whitespace.
    ///
    /// Foundation's `trimmingCharacters(in: .whitespaces)` does the same through NSString and a
    /// CoreFoundation character set. On paths that run every few seconds (each request's
    /// Content-Type, each line of nine /metrics pages every poll) that kept NSString and
    /// CoreFoundation code resident in the dashboard; with its file-size read moved off
    /// FileManager too, its code pages fell by about 1 MiB (docs/performance.md, Memory).
    public func trimmingBlanks() -> SubSequence {
        let isBlank: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        guard let first = firstIndex(where: { !isBlank($0) }), let last = lastIndex(where: { !isBlank($0) }) else {
            return self[endIndex...]
        }
        return self[first...last]
    }
}
