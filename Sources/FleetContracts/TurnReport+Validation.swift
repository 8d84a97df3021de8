import Foundation
public import ServiceKit

/// What a turn report may carry. The dashboard shows reports as they come, so anything it takes is
/// on the page: a negative turn id, a finish time of 1e308 or a 5000-character speaker name used to
/// go straight into the feed. Every field is checked against what the bridge can really send.
extension TurnReport {
    /// The outcomes the bridge reports (its `TurnOutcome` raw values; a test keeps them equal).
    public static let outcomes: Set<String> = ["replied", "no_wake_phrase", "blocked", "empty", "error", "interrupted"]
    /// The bridge numbers turns from 1; a demo never gets near a billion.
    public static let turnIds = 0...1_000_000_000
    public static let maxSpeakerLength = 100
    public static let maxSessionIdLength = 128
    /// The orchestrator takes transcripts of up to 4000 characters, and replies stay shorter.
    public static let maxTextLength = 4000
    /// End-to-end latency of a turn: an hour is far beyond any turn's deadline.
    public static let endToEndRange = 0.0...3600
    /// The earliest finish time taken (2020-01-01); the latest is now plus `clockSkew`.
    public static let earliestFinish = 1_577_836_800.0
    public static let clockSkew = 600.0

    /// Nil when the report is one the bridge could have sent; else what is wrong with it, for a 422.
    public func problem(now: Double? = nil) -> String? {
        let now = now ?? Date().timeIntervalSince1970
        if !Self.turnIds.contains(turnId) { return "'turn_id' must be from 0 to \(Self.turnIds.upperBound); got \(turnId)." }
        if let problem = Self.textProblem(speaker, field: "speaker", length: 1...Self.maxSpeakerLength) { return problem }
        if !(1...Self.maxSessionIdLength).contains(sessionId.count)
            || !sessionId.unicodeScalars.allSatisfy({ $0.isASCII && ($0.properties.isAlphabetic || $0.properties.numericType != nil || "-_.:".unicodeScalars.contains($0)) }) {
            return "'session_id' must be 1 to \(Self.maxSessionIdLength) ASCII letters, digits, '-', '_', '.' or ':'."
        }
        if !Self.outcomes.contains(outcome) {
            return "'outcome' must be one of \(Self.outcomes.sorted().joined(separator: ", "))."
        }
        for (field, text) in [("transcript", transcript), ("response", response)] {
            if let text, let problem = Self.textProblem(text, field: field, length: 0...Self.maxTextLength, newlines: true) {
                return problem
            }
        }
        if let seconds = endToEndSeconds, !(seconds.isFinite && Self.endToEndRange.contains(seconds)) {
            return "'end_to_end_seconds' must be a number from 0 to \(Int(Self.endToEndRange.upperBound)); got \(seconds)."
        }
        if let traceId, TraceIdentity.normalized(traceId) == nil {
            return "'trace_id' must be 32 hexadecimal digits, not all zeros."
        }
        guard finishedAt.isFinite, finishedAt >= Self.earliestFinish, finishedAt <= now + Self.clockSkew else {
            return "'finished_at' must be seconds since 1970 between 2020-01-01 and now; got \(finishedAt)."
        }
        return nil
    }

    /// Throws a 422 naming the first field out of range.
    public func validate(now: Double? = nil) throws(FleetError) {
        if let problem = problem(now: now) { throw FleetError.unprocessable("The turn report was refused: \(problem)") }
    }

    /// Length in characters and no control characters (a newline is allowed in free text).
    private static func textProblem(_ text: String, field: String, length: ClosedRange<Int>, newlines: Bool = false) -> String? {
        guard length.contains(text.count) else {
            return "'\(field)' must have \(length.lowerBound) to \(length.upperBound) characters; got \(text.count)."
        }
        let control = text.unicodeScalars.contains {
            ($0.properties.generalCategory == .control && !(newlines && ($0 == "\n" || $0 == "\t")))
                || $0 == "\u{2028}" || $0 == "\u{2029}"
        }
        return control ? "'\(field)' must not contain control characters." : nil
    }
}
