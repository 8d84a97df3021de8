import FleetAudio
import FleetContracts
import FleetTelemetry
import Foundation
import ServiceKit
import Synchronization

/// A streamed reply as the bridge receives it: each sentence's audio handed to the playback as it
/// arrives (its 20 ms Opus packets as they are, or PCM when they cannot pass through: see
/// `ReplyAudio`), and its Opus packets kept so the whole reply can be stored as one Ogg Opus file
/// afterwards (re-muxed, not re-encoded: the packets are already Opus).
final class StreamedReplyAudio: Sendable {
    /// Each sentence with audio, in order: what the playback plays.
    let chunks: AsyncThrowingStream<ReplyFrames, any Error>
    private let chunkSink: AsyncThrowingStream<ReplyFrames, any Error>.Continuation
    /// Says once whether the reply has audio at all: true at the first sentence with audio,
    /// false when the reply ended (or failed) without any.
    private let started: AsyncStream<Bool>
    private let startedSink: AsyncStream<Bool>.Continuation
    private let state = Mutex(State())

    private struct State {
        var texts: [String] = []
        var streams: [OggOpusStream] = []
        var seconds = 0.0
        var signalled = false
    }

    init() {
        (chunks, chunkSink) = AsyncThrowingStream<ReplyFrames, any Error>.makeStream()
        (started, startedSink) = AsyncStream<Bool>.makeStream(bufferingPolicy: .bufferingNewest(1))
    }

    /// Takes one sentence: reads its audio (if any) and passes it on to the playback.
    func add(_ sentence: ReplySentence, peer: String) throws {
        guard let encoded = sentence.audioBase64 else {
            state.withLock { $0.texts.append(sentence.text) }
            return
        }
        guard let bytes = Data(base64Encoded: encoded).map(Array.init) else {
            throw FleetError.downstream(.badResponse, peer: peer, "sentence \(sentence.index)'s audio_base64 is not valid base64")
        }
        let audio = try ReplyAudio(bytes, peer: peer)
        let first = state.withLock { state in
            state.texts.append(sentence.text)
            state.streams.append(audio.stream)
            state.seconds += audio.seconds
            defer { state.signalled = true }
            return !state.signalled
        }
        chunkSink.yield(audio.frames)
        if first {
            startedSink.yield(true)
            startedSink.finish()
        }
    }

    /// The reply is complete (`error` nil) or failed.
    func finish(throwing error: (any Error)? = nil) {
        chunkSink.finish(throwing: error)
        startedSink.yield(false)  // dropped when `true` was already said
        startedSink.finish()
    }

    /// Waits until the reply has audio to play (true) or ended without any (false).
    func waitForAudio() async -> Bool {
        for await hasAudio in started { return hasAudio }
        return false
    }

    /// What was said so far, sentence by sentence, joined.
    var text: String { state.withLock { $0.texts.joined(separator: " ") } }

    /// Seconds of audio received so far.
    var seconds: Double { state.withLock { $0.seconds } }

    /// The sentences' packets as one Ogg Opus file: each sentence's packets count whole (as long
    /// as each plays), except the reply's very last, whose end is trimmed as its own file trimmed
    /// it. The sentences' own tail padding stays in, as the short pause between them. Nil without audio.
    func wholeReply(comments: [String: String] = [:]) -> [UInt8]? {
        let streams = state.withLock { $0.streams }
        guard let first = streams.first, let last = streams.last else { return nil }
        var writer = OggOpusWriter(serial: UInt32(truncatingIfNeeded: first.granulePosition &* 2_654_435_761),
                                   preSkip: first.head.preSkip, comments: comments.isEmpty ? first.comments : comments)
        var output: [UInt8] = []
        for (number, stream) in streams.enumerated() {
            let isLast = number == streams.count - 1
            var counted = 0
            for (index, packet) in stream.packets.enumerated() {
                var samples = OggOpusStream.samples(inPacket: packet) ?? AudioFormat.samplesPerFrame
                if isLast, index == stream.packets.count - 1 {
                    samples = max(0, Int(last.granulePosition) - counted)
                }
                counted += samples
                output += writer.append(packet: packet, samples: samples)
            }
        }
        output += writer.finish()
        return output
    }
}
