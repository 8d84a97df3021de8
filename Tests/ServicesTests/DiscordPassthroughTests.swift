import FleetAudio
import FleetContracts
import FleetSpeech
import FleetTestSupport
import Logging
import ServiceKit
import Testing
@testable import DiscordService

/// A voice connection that keeps what it was sent: Opus packets as they are, PCM frames apart,
/// in order; with `bargeInAfter`, it talks over the reply after that many frames (as the reply's
/// audience) and notes when.
actor PacketRecorder: OpusPlaybackSink, ReplyAudience {
    enum Sent: Equatable {
        case packet([UInt8])
        case frame([Float])
    }

    let clock: (any PacingClock)?
    let bargeInAfter: Int?
    /// Virtual time each send takes; more than 20 ms makes the playback late.
    let stall: Duration
    private(set) var sent: [Sent] = []
    private(set) var raisedAt: Duration?
    private var interrupt: PlaybackInterrupt?

    init(clock: (any PacingClock)? = nil, bargeInAfter: Int? = nil, stall: Duration = .zero) {
        self.clock = clock
        self.bargeInAfter = bargeInAfter
        self.stall = stall
    }

    var packets: [[UInt8]] { sent.compactMap { if case .packet(let bytes) = $0 { bytes } else { nil } } }
    var frames: [[Float]] { sent.compactMap { if case .frame(let samples) = $0 { samples } else { nil } } }

    func replyStarted(to speaker: String, seconds: Double, interrupt: PlaybackInterrupt) {
        self.interrupt = interrupt
    }

    func send(opus packet: [UInt8]) {
        sent.append(.packet(packet))
        afterSend()
    }

    func send(_ frame: [Float]) {
        sent.append(.frame(frame))
        afterSend()
    }

    private func afterSend() {
        (clock as? VirtualClock)?.advance(by: stall)
        if sent.count == bargeInAfter, interrupt?.raise() == true { raisedAt = clock?.now }
    }
}

/// The reply's Opus packets go out as TTS wrote them; anything else is decoded and re-encoded.
@Suite("Discord reply passthrough")
struct DiscordPassthroughTests {
    static let text = "The packets go out as they came in, twenty milliseconds each."

    static func speech(_ text: String = DiscordPassthroughTests.text) -> [Float] {
        SpeechSynthesizer(voice: Voice.named("v2/en_speaker_8") ?? .default).synthesize(text)
    }

    @Test("a reply of 20 ms Ogg Opus packets is sent packet for packet, none decoded or re-encoded")
    func packetsOutAreThePacketsIn() async throws {
        let file = try OggOpus.encode(Self.speech())
        let stream = try OggOpusStream.parse(file)
        let audio = try ReplyAudio(file, peer: "tts-bark")
        guard case .opus = audio.frames else {
            Issue.record("a 20 ms Ogg Opus reply did not pass through")
            return
        }
        #expect(abs(audio.seconds - (try OggOpus.decode(file)).duration) < 1e-9)

        let recorder = PacketRecorder()
        let report = try await FramePlayer(clock: VirtualClock()).play(audio.frames, into: recorder)
        #expect(await recorder.packets == stream.packets)
        #expect(await recorder.frames.isEmpty)
        #expect(report.frames == stream.packets.count)
        #expect(report.underruns == 0)
    }

    @Test("the channel's voice counts passed-through packets and decodes them only for a listener")
    func channelVoiceCountsPackets() async throws {
        let file = try OggOpus.encode(Self.speech())
        let stream = try OggOpusStream.parse(file)
        let listener = RecordingSink()
        let voice = ChannelVoiceOutput(listener: listener)
        let report = try await FramePlayer(clock: VirtualClock()).play(try ReplyAudio(file, peer: "tts-bark").frames,
                                                                          into: voice)
        #expect(report.frames == stream.packets.count)
        #expect(await voice.framesSent == stream.packets.count)
        #expect(await voice.bytesSent == stream.packets.reduce(0) { $0 + $1.count })
        // The listener hears what a receiver decodes from those packets.
        let decoder = try OpusDecoder()
        let expected = try stream.packets.map { try decoder.decode($0) }
        #expect(await listener.frames == expected)
    }

    @Test("a WAV reply falls back to PCM, which the channel's voice encodes frame by frame")
    func wavFallsBack() async throws {
        let speech = Self.speech()
        // 16 kHz, as a speech model would write it: resampled to 48 kHz on the way in.
        let narrow = Resampler.resample(speech, from: AudioFormat.sampleRate, to: 16_000)
        let audio = try ReplyAudio(WAV.encode(narrow, sampleRate: 16_000), peer: "tts-bark")
        guard case .pcm(let samples) = audio.frames else {
            Issue.record("a WAV reply was not decoded to PCM")
            return
        }
        #expect(samples.count == narrow.count * 3)
        #expect(abs(audio.seconds - Double(narrow.count) / 16_000) < 1e-6)
        // Its recording is Ogg Opus all the same (reply.opus), of the same length.
        #expect(abs(try OggOpus.decode(audio.file).duration - audio.seconds) < 1e-6)
        #expect(try OggOpusStream.parse(audio.file) == audio.stream)

        let listener = RecordingSink()
        let voice = ChannelVoiceOutput(listener: listener)
        let report = try await FramePlayer(clock: VirtualClock()).play(audio.frames, into: voice)
        let frameCount = (samples.count + 959) / 960
        #expect(report.frames == frameCount)
        #expect(await voice.framesSent == frameCount)
        #expect(await voice.bytesSent > frameCount)  // encoded: every packet has a TOC byte and more
        #expect(await listener.frames == FramePlayer.frames(of: samples))
    }

    @Test("Ogg Opus with packets other than 20 ms long, or with a gap, is decoded rather than passed on")
    func otherPacketsFallBack() async throws {
        let file = try OggOpus.encode(Self.speech())
        let stream = try OggOpusStream.parse(file)
        #expect(stream.packets.allSatisfy { OggOpusStream.samples(inPacket: $0) == 960 })

        // Two 20 ms packets of one configuration joined into one 40 ms packet (RFC 6716 code 3).
        let pair = try #require(stream.packets.indices.dropLast().first { index in
            let first = stream.packets[index], second = stream.packets[index + 1]
            return first[0] == second[0] && first[0] & 3 == 0 && first.count < 252
        })
        let first = stream.packets[pair], second = stream.packets[pair + 1]
        let joined = [first[0] | 3, 0x80 | 2, UInt8(first.count - 1)] + first.dropFirst() + second.dropFirst()
        #expect(OggOpusStream.samples(inPacket: joined) == 1920)
        var packets = stream.packets
        packets.replaceSubrange(pair...(pair + 1), with: [joined])
        let longer = Self.file(packets, lengths: packets.map { $0 == joined ? 1920 : 960 }, like: stream)
        let audio = try ReplyAudio(longer, peer: "tts-bark")
        guard case .pcm(let samples) = audio.frames else {
            Issue.record("a 40 ms packet passed through")
            return
        }
        #expect(samples == (try OggOpus.decode(longer)).samples)

        // A gap (an empty packet) is concealed by a decoder: not something to send.
        var gapped = stream.packets
        gapped[3] = []
        let withGap = try ReplyAudio(Self.file(gapped, lengths: gapped.map { _ in 960 }, like: stream), peer: "tts-bark")
        if case .opus = withGap.frames { Issue.record("a stream with a gap passed through") }
    }

    /// An Ogg Opus file of `packets` with these sample counts and `stream`'s pre-skip, its last
    /// packet trimmed so the timeline ends where `stream`'s does.
    static func file(_ packets: [[UInt8]], lengths: [Int], like stream: OggOpusStream) -> [UInt8] {
        var writer = OggOpusWriter(serial: 7, preSkip: stream.head.preSkip)
        var bytes: [UInt8] = [], counted = 0
        for (index, packet) in packets.enumerated() {
            let samples = index == packets.count - 1 ? Int(stream.granulePosition) - counted : lengths[index]
            counted += samples
            bytes += writer.append(packet: packet, samples: samples)
        }
        return bytes + writer.finish()
    }

    @Test("a barge-in cuts passed-through packets within one frame")
    func bargeInWithinOneFrame() async throws {
        let clock = VirtualClock()
        let recorder = PacketRecorder(clock: clock, bargeInAfter: 5)
        let interrupt = PlaybackInterrupt()
        await recorder.replyStarted(to: "Ava", seconds: 2, interrupt: interrupt)
        let audio = try ReplyAudio(try OggOpus.encode(Self.speech()), peer: "tts-bark")
        let report = try await FramePlayer(clock: clock).play(audio.frames, into: recorder, interrupt: interrupt)
        #expect(report.interrupted)
        #expect(report.frames == 5)
        #expect(await recorder.packets.count == 5)
        let raisedAt = try #require(await recorder.raisedAt)
        #expect(clock.now - raisedAt <= FramePlayer.frameDuration, "playback ran on past the next frame")
    }

    @Test("a voice slower than real time shows up as jitter and underruns with packets too")
    func latePacketsAreMeasured() async throws {
        let clock = VirtualClock()
        let recorder = PacketRecorder(clock: clock, stall: .milliseconds(50))
        let audio = try ReplyAudio(try OggOpus.encode(Self.speech("Late.")), peer: "tts-bark")
        let report = try await FramePlayer(clock: clock).play(audio.frames, into: recorder)
        #expect(report.frames > 2)
        #expect(report.underruns == report.frames - 1)
        #expect(report.maxJitter >= 0.03 * Double(report.frames - 2))
    }

    @Test("a streamed reply mixing passed-through sentences with a decoded one keeps their order")
    func streamedMix() async throws {
        let first = try OggOpus.encode(Self.speech("First."))
        let middleFile = WAV.encode(Self.speech("Second."), sampleRate: 48_000)
        let middle = try WAV.decode(middleFile).samples
        let last = try OggOpus.encode(Self.speech("Third."))
        let (chunks, sink) = AsyncThrowingStream<ReplyFrames, any Error>.makeStream()
        for audio in [try ReplyAudio(first, peer: "tts-bark"), try ReplyAudio(middleFile, peer: "tts-bark"),
                      try ReplyAudio(last, peer: "tts-bark")] {
            sink.yield(audio.frames)
        }
        sink.finish()
        let recorder = PacketRecorder()
        let report = try await FramePlayer(clock: VirtualClock()).play(chunks, into: recorder)

        let firstPackets = try OggOpusStream.parse(first).packets, lastPackets = try OggOpusStream.parse(last).packets
        let middleFrames = FramePlayer.frames(of: middle)
        let expected = firstPackets.map(PacketRecorder.Sent.packet) + middleFrames.map(PacketRecorder.Sent.frame)
            + lastPackets.map(PacketRecorder.Sent.packet)
        #expect(await recorder.sent == expected)
        #expect(report.frames == expected.count)
    }

    @Test("a voice turn's reply reaches the channel as the packets it holds, whole or streamed")
    func turnSendsTheReplysPackets() async throws {
        for streaming in [false, true] {
            let harness = DiscordHarness(orchestrator: FakeOrchestrator(reply: .text("One sentence. And another one.")))
            let recorder = PacketRecorder()
            let channel = VoiceChannel(index: 0, seed: 1, bargeInPercent: 0, clock: harness.clock,
                                       output: ChannelVoiceOutput(listener: recorder))
            let pipeline = TurnPipeline(audioProcessor: harness.audioProcessor, transcriber: harness.transcriber,
                                        orchestrator: harness.orchestrator, matcher: WakePhraseMatcher(), clock: harness.clock,
                                        turns: harness.turns, channel: harness.channel, logger: Logger(label: "discord-test"),
                                        replyStreaming: streaming).speaking(in: channel)
            let record = await pipeline.run(DiscordHarness.segment("Hey Atlas, say two things."),
                                            speaker: DiscordHarness.speaker, turnNumber: 1)
            #expect(record.outcome == .replied, "\(record.error ?? "")")
            // The recording (reply.opus) holds the very packets that went out, in order.
            let stored = try OggOpusStream.parse(try #require(record.replyAudio))
            #expect(await recorder.packets == stored.packets, "streaming \(streaming)")
            #expect(await recorder.frames.isEmpty)
            #expect(await channel.output.framesSent == stored.packets.count)
            #expect(await channel.output.bytesSent == stored.packets.reduce(0) { $0 + $1.count })
        }
    }
}
