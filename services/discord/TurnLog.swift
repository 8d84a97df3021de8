public import Foundation
import FleetAudio
import FleetContracts

/// How a voice turn ended; the `voice_turns_total{outcome}` label values.
public enum TurnOutcome: String, Sendable, Codable, CaseIterable {
    /// Atlas answered and the reply was played into the channel.
    case replied
    /// Nobody addressed Atlas: the transcript had no wake phrase.
    case noWakePhrase = "no_wake_phrase"
    /// Atlas was addressed but a guardrail refused the request; the refusal was still played.
    case blocked
    /// The wake phrase came with nothing after it, or STT heard no words.
    case empty
    /// A stage failed; the error is on the turn's span and in the log.
    case error
    /// Atlas's reply was cut off: a speaker started talking over it (barge-in).
    case interrupted
}

/// Everything the demo surface shows about one voice turn, both sides' audio included.
public struct TurnRecord: Sendable, Codable, Identifiable {
    public struct Latencies: Sendable, Codable, Equatable {
        /// Segment close minus last voiced frame (the silence timeout, mostly).
        public var endOfUtterance: Double?
        public var encode: Double?
        public var process: Double?
        public var transcribe: Double?
        public var wakeDetection: Double?
        public var orchestrate: Double?
        /// Waiting for the channel's voice while another reply played.
        public var playbackQueue: Double?
        /// End of the user's speech to the first reply frame going out.
        public var endToEnd: Double?
        /// Seconds of reply audio played.
        public var playback: Double?

        public init() {}
    }

    public var id: Int
    public var speaker: String
    public var sessionId: String
    /// The speaker's turn number (1 for their first segment).
    public var turnNumber: Int
    public var startedAt: Date
    /// What the speaker meant to say (the phrase it synthesised).
    public var phrase: String
    public var transcript: String?
    /// The transcript's word error rate against `phrase` (0 is perfect; an empty transcript, or an
    /// utterance the VAD never passed on, 1); nil until stt answers, or when the speaker's segment
    /// held no words to score against.
    public var wordErrorRate: Double?
    public var wakeDetected: Bool = false
    public var wakePhrase: String?
    /// What went to the orchestrator: the transcript without its wake phrase.
    public var request: String?
    public var replyText: String?
    public var guardrailReason: String?
    public var outcome: TurnOutcome?
    public var error: String?
    public var latencies = Latencies()
    public var segmentSeconds: Double = 0
    public var replySeconds: Double?
    public var playbackUnderruns = 0
    public var traceId: String?
    public var inputAudio: [UInt8] = []
    public var replyAudio: [UInt8]?

    public init(id: Int, speaker: String, sessionId: String, turnNumber: Int, phrase: String, startedAt: Date = Date()) {
        self.id = id
        self.speaker = speaker
        self.sessionId = sessionId
        self.turnNumber = turnNumber
        self.phrase = phrase
        self.startedAt = startedAt
    }
}

extension TurnRecord {
    /// The record as the bridge shows and reports it: every text in it with personal data replaced
    /// by tags (PIIRedactor). The turn log keeps only this form, so /voice/turns, /voice/status,
    /// the page and the dashboard's feed never see a card number a speaker said.
    public func redactingPersonalData() -> TurnRecord {
        let redactor = PIIRedactor.shared
        var record = self
        record.phrase = redactor.redacted(phrase)
        record.transcript = redactor.redacted(transcript)
        record.request = redactor.redacted(request)
        record.replyText = redactor.redacted(replyText)
        record.error = redactor.redacted(error)
        return record
    }

    /// The record with its two audio files at their exact size. Both were built by appending, so
    /// their arrays can hold up to twice their bytes, and the log keeps `capacity` turns of them.
    func compactingAudio() -> TurnRecord {
        var record = self
        record.inputAudio = inputAudio.compacted()
        record.replyAudio = replyAudio?.compacted()
        return record
    }
}

/// The last N turns, newest last, plus running totals that outlive the ring.
public actor TurnLog {
    public let capacity: Int
    private var records: [TurnRecord] = []
    private var nextID = 1
    private var outcomeCounts: [TurnOutcome: Int] = [:]
    /// Recent end-to-end latencies for the status page's median (bounded like the ring).
    private var endToEnd: [Double] = []
    /// Recent transcripts' word error rates for the page's mean (bounded like the ring).
    private var wordErrorRates: [Double] = []

    public init(capacity: Int = 50) {
        self.capacity = max(1, capacity)
    }

    /// A fresh id for a turn that is starting.
    public func reserveID() -> Int {
        defer { nextID += 1 }
        return nextID
    }

    /// Adds or replaces a turn (a turn is stored when it starts and again when it ends, so the
    /// page shows turns in flight).
    public func store(_ record: TurnRecord) {
        var record = record.redactingPersonalData()
        if record.outcome != nil { record = record.compactingAudio() }
        if let index = records.lastIndex(where: { $0.id == record.id }) {
            let previous = records[index].outcome
            records[index] = record
            if previous == nil { finished(record) }
            return
        }
        records.append(record)
        if records.count > capacity { records.removeFirst(records.count - capacity) }
        finished(record)
    }

    private func finished(_ record: TurnRecord) {
        guard let outcome = record.outcome else { return }
        outcomeCounts[outcome, default: 0] += 1
        if let latency = record.latencies.endToEnd {
            endToEnd.append(latency)
            if endToEnd.count > capacity { endToEnd.removeFirst(endToEnd.count - capacity) }
        }
        if let rate = record.wordErrorRate {
            wordErrorRates.append(rate)
            if wordErrorRates.count > capacity { wordErrorRates.removeFirst(wordErrorRates.count - capacity) }
        }
    }

    public func record(id: Int) -> TurnRecord? {
        records.last { $0.id == id }
    }

    /// Newest first.
    public func recent(limit: Int) -> [TurnRecord] {
        Array(records.suffix(limit).reversed())
    }

    public var finishedCount: Int { outcomeCounts.values.reduce(0, +) }
    public var outcomes: [TurnOutcome: Int] { outcomeCounts }

    /// Mean word error rate of the recent scored turns, or nil before the first: a mean, not a
    /// median, because WER is mostly 0 and a median would hide the bad turns the link causes.
    public var meanWordErrorRate: Double? {
        guard !wordErrorRates.isEmpty else { return nil }
        return wordErrorRates.reduce(0, +) / Double(wordErrorRates.count)
    }

    /// Median end-to-end latency of the recent replied turns, or nil before the first.
    public var medianEndToEnd: Double? {
        guard !endToEnd.isEmpty else { return nil }
        let sorted = endToEnd.sorted()
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }
}
