import Foundation
public import ServiceKit

/// Everything one run produced, whether it got to a reply or not: what the history keeps. A run
/// that failed at a peer is still worth seeing (its input, how far it got, the error), so the
/// runner hands back the attempt rather than only throwing.
public struct RunAttempt: Sendable {
    public var input: ValidatedRun
    /// The speech sent into the fleet; nil when the run failed before it had any (a bad upload).
    public var prepared: PreparedInput?
    /// Stages that finished, and the one that failed, with their times; the rest stay 0.
    public var timings = RunTimings()
    public var traceId: String?
    /// What speech recognition heard, once it has (kept for a run the orchestrator then failed).
    public var heard: String?
    /// The spoken reply, as Ogg Opus bytes.
    public var replyAudio: [UInt8]?
    public var outcome: Result<RunResult, FleetError>

    init(input: ValidatedRun) {
        self.input = input
        outcome = .failure(.internalError("The run did not start."))
    }

    /// `replied` or `blocked` (by a guardrail), or `failed`.
    public var outcomeName: String {
        switch outcome {
        case .success(let result): result.allowed ? "replied" : "blocked"
        case .failure: "failed"
        }
    }

    /// Worth a history entry: it had speech to send, so there is something to replay.
    public var isRecordable: Bool { prepared != nil }
}
