import FleetAudio
public import FleetContracts
import FleetTelemetry
import Foundation
public import Logging
import ServiceKit
import Synchronization
import Tracing

/// A stretch of one speaker's speech that the segmenter closed, ready to become a voice turn.
public struct VoiceSegment: Sendable {
    /// 48 kHz mono PCM, as the bridge decoded it from the speaker's Opus packets, until the turn's
    /// encode stage takes it (`takeSamples`).
    private let pcm: PCMHandOff
    /// Seconds of audio in the segment.
    public let duration: Double
    /// What the speaker meant to say; travels as the REFERENCE_TRANSCRIPT comment so STT can be
    /// scored against it (and so the STT stub has something true to say).
    public var phrase: String
    /// When the last voiced frame arrived, on the channel's pacing clock.
    public var lastVoicedAt: Duration
    /// Seconds between the last voiced frame and the segment closing.
    public var endOfUtteranceDelay: Double
    /// The share (0...1) of the segment's frames the speaker's link concealed (lost or late
    /// packets that FEC could not rebuild, `VoiceLink.concealedRatio(of:)`); the audio
    /// processor's quality score counts it.
    public var concealedRatio: Double

    public init(samples: [Float], phrase: String, lastVoicedAt: Duration, endOfUtteranceDelay: Double,
                concealedRatio: Double = 0) {
        self.pcm = PCMHandOff(samples)
        self.duration = Double(samples.count) / Double(AudioFormat.sampleRate)
        self.phrase = phrase
        self.lastVoicedAt = lastVoicedAt
        self.endOfUtteranceDelay = endOfUtteranceDelay
        self.concealedRatio = concealedRatio
    }

    /// The PCM, for the one stage that encodes it; afterwards every copy of the segment is empty.
    /// A turn then waits for stt, the orchestrator and its channel's voice holding its Ogg Opus
    /// file (about 4 KB a second of speech) instead of 192 KB a second of Float samples, and at 100
    /// speakers tens of turns wait at once.
    func takeSamples() -> [Float] { pcm.take() }
}

/// A buffer handed over once: the turn's task, its closure and the pipeline all hold the segment,
/// so only a shared box lets the encode stage free the PCM while they still run.
final class PCMHandOff: Sendable {
    private let samples: Mutex<[Float]>

    init(_ samples: [Float]) { self.samples = Mutex(samples) }

    func take() -> [Float] {
        samples.withLock { samples in
            defer { samples = [] }
            return samples
        }
    }
}

/// Who is speaking: a member of the voice channel with their own conversation with Atlas.
public struct SpeakerIdentity: Sendable, Equatable {
    public var name: String
    public var sessionId: String
    /// The Voice the speaker talks with.
    public var voice: String
    /// The Voice the speaker wants Atlas to answer in.
    public var replyVoice: String

    public init(name: String, sessionId: String, voice: String, replyVoice: String) {
        self.name = name
        self.sessionId = sessionId
        self.voice = voice
        self.replyVoice = replyVoice
    }
}

/// One voice turn, end to end: encode the segment, clean it up, transcribe it, look for the wake
/// phrase, ask the orchestrator, and play the reply into the channel in real time.
///
/// Each turn is the root of its own trace (`voice.turn`), so one trace tells one exchange's whole
/// story across all nine services. Every peer is a FleetContracts protocol, so tests run the
/// whole pipeline with in-memory fakes.
public struct TurnPipeline: Sendable {
    let audioProcessor: any AudioProcessing
    let transcriber: any Transcriber
    let orchestrator: any Orchestration
    let matcher: WakePhraseMatcher
    let player: FramePlayer
    /// The voice channel's outgoing audio; `speaking(in:)` points a turn at its speaker's channel.
    private(set) var sink: any PlaybackSink
    /// The channel's one outgoing voice: one reply plays at a time per channel.
    private(set) var voice: FIFOLock
    /// Told when a reply starts playing, so someone in the channel can talk over it.
    private(set) var audience: (any ReplyAudience)?
    let turns: TurnLog
    let channel: ChannelLog
    /// Where finished turns are reported (the monitoring dashboard's live feed); best effort.
    let reporter: (any TurnReporting)?
    let logger: Logger
    /// REPLY_STREAMING: play the reply sentence by sentence as the orchestrator streams it (true),
    /// or only once the whole reply has arrived (false, as before streaming).
    let replyStreaming: Bool

    public init(audioProcessor: any AudioProcessing, transcriber: any Transcriber, orchestrator: any Orchestration,
                matcher: WakePhraseMatcher, clock: any PacingClock, sink: any PlaybackSink = UnroutedSink(),
                voice: FIFOLock = FIFOLock(), audience: (any ReplyAudience)? = nil,
                turns: TurnLog, channel: ChannelLog, reporter: (any TurnReporting)? = nil, logger: Logger,
                replyStreaming: Bool = true) {
        self.audioProcessor = audioProcessor
        self.transcriber = transcriber
        self.orchestrator = orchestrator
        self.matcher = matcher
        self.player = FramePlayer(clock: clock)
        self.sink = sink
        self.voice = voice
        self.audience = audience
        self.turns = turns
        self.channel = channel
        self.reporter = reporter
        self.logger = logger
        self.replyStreaming = replyStreaming
    }

    /// The same pipeline, playing its replies into `channel`: that channel's voice, its lock, and
    /// its speakers as the audience who may barge in.
    func speaking(in channel: VoiceChannel) -> TurnPipeline {
        var routed = self
        routed.sink = channel.output
        routed.voice = channel.voice
        routed.audience = channel
        return routed
    }

    /// Runs one turn and returns its record (also stored in the turn log). Never throws: a failed
    /// stage makes the outcome `error`, and the speaker carries on.
    @discardableResult
    public func run(_ segment: VoiceSegment, speaker: SpeakerIdentity, turnNumber: Int, id: Int? = nil) async -> TurnRecord {
        let turnID: Int
        if let id { turnID = id } else { turnID = await turns.reserveID() }
        var record = TurnRecord(id: turnID, speaker: speaker.name, sessionId: speaker.sessionId,
                                turnNumber: turnNumber, phrase: segment.phrase)
        record.segmentSeconds = segment.duration
        record.latencies.endOfUtterance = segment.endOfUtteranceDelay
        MetricCatalog.endOfUtteranceDelay.observe(segment.endOfUtteranceDelay)

        // A new root: turns start from the channel, not from whatever request or task is current.
        var finished = await withSpan(StageSpan.turn, context: .topLevel, ofKind: .internal) { span -> TurnRecord in
            span.attributes["conversation.id"] = speaker.sessionId
            span.attributes["voice.speaker"] = speaker.name
            span.attributes["voice.turn.number"] = turnNumber
            span.attributes["voice.turn.id"] = turnID
            span.attributes["voice.segment.duration_seconds"] = segment.duration
            span.attributes["voice.end_of_utterance_delay_seconds"] = segment.endOfUtteranceDelay
            var record = record
            record.traceId = TraceIdentity.traceID(of: span.context)
            await turns.store(record)
            do {
                try await stages(segment, speaker: speaker, span: span, record: &record)
            } catch {
                record.outcome = .error
                record.error = String(describing: error)
                span.recordError(error)
                span.setStatus(SpanStatus(code: .error, message: String(describing: error)))
                logger.error("voice turn failed", metadata: [
                    "speaker": "\(speaker.name)", "turn": "\(turnID)", "error": "\(error)",
                ])
            }
            span.attributes["voice.outcome"] = record.outcome?.rawValue
            await report(record)
            // Inside the span, so the line carries the turn's trace and span ids (a log line opens
            // its trace in Grafana). What people said stays out of the logs: the corpus alone has
            // emails and card numbers.
            logger.info("voice turn", metadata: [
                "speaker": "\(speaker.name)", "turn": "\(turnID)", "outcome": "\((record.outcome ?? .error).rawValue)",
                "transcript_characters": "\(record.transcript?.count ?? 0)",
                "end_to_end_seconds": "\(record.latencies.endToEnd.map { String(format: "%.3f", $0) } ?? "none")",
            ])
            return record
        }
        let outcome = finished.outcome ?? .error
        finished.outcome = outcome
        MetricCatalog.voiceTurns.increment(["outcome": outcome.rawValue])
        await turns.store(finished)
        return finished
    }

    /// Tells the monitoring dashboard how the turn went, inside the turn's trace. A dashboard that
    /// is down costs one short timeout and a debug line, never the turn.
    private func report(_ record: TurnRecord) async {
        guard let reporter else { return }
        let record = record.redactingPersonalData()
        let report = TurnReport(turnId: record.id, speaker: record.speaker, sessionId: record.sessionId,
                                outcome: (record.outcome ?? .error).rawValue, transcript: record.transcript,
                                response: record.replyText, endToEndSeconds: record.latencies.endToEnd,
                                traceId: record.traceId, finishedAt: Date().timeIntervalSince1970)
        do {
            try await reporter.report(report)
        } catch {
            logger.debug("turn report not delivered", metadata: ["error": "\(error)"])
        }
    }
}

/// A voice channel as a playing reply sees it: told when the reply starts, with the signal that
/// cuts it short, so a speaker in the channel can start talking over it.
public protocol ReplyAudience: Sendable {
    func replyStarted(to speaker: String, seconds: Double, interrupt: PlaybackInterrupt) async
}

/// The sink of a pipeline not yet pointed at a channel: every turn the bridge runs belongs to a
/// speaker in a channel, so a reply arriving here is a wiring mistake, and says so.
public struct UnroutedSink: PlaybackSink {
    public init() {}

    public func send(_ frame: [Float]) async throws {
        throw FleetError.internalError("a reply was played before its turn was routed to a voice channel")
    }
}
