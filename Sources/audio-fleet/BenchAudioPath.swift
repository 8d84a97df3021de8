import DiscordService
import FleetAudio
import FleetContracts
import FleetSpeech
import AudioProcessorService
import STTService
import TTSBarkService

/// One fixed voice turn's whole audio path, run in-process through the functions the services
/// run, step by step, so `audio-fleet bench codec` can time each step and callgrind can count it.
///
/// Why fixed: a sentence, a voice and a reply that never change (no randomness, no threads, no
/// telemetry) make the work the same on every run, so an instruction count of it is repeatable.
/// Each step reads what the step before it left in the turn and writes its own result, so a
/// step can be repeated on its own with the same input.
final class AudioPathTurn {
    /// What the path does in a step: the codec (Opus, Ogg framing), or the DSP and other work around it.
    /// `link` is a whole stage whose codec steps are measured apart: its DSP share is it minus them.
    enum Kind: String { case codec, dsp, link }

    /// The services' stages, in the order a turn goes through them.
    enum Stage: String, CaseIterable {
        case bridgeLink = "bridge link"
        case segmentEncode = "segment encode"
        case processSegment = "processor /process/segment"
        case sttUpload = "stt upload"
        case enhance = "processor /enhance/audio"
        case sttRecognize = "stt recognise"
        case tts = "tts /synthesize"
        case playback = "bridge playback"
    }

    /// One measured piece of a stage. `floor` is plain libopus doing the same encodes or decodes
    /// (codec steps only); `frames` how many 20 ms frames the step codes.
    struct Step {
        var stage: Stage
        var name: String
        var kind: Kind
        var run: () throws -> Void
        var floor: (() -> Void)?
        /// Work the turn does inside another step, repeated apart only to be measured apart
        /// (the link's own encodes and decodes): the turn run once leaves it out.
        var measuredApart = false
    }

    static let phrase = "hey atlas, what time is it in tokyo"
    static let speakerVoice = "v2/en_speaker_1"
    static let reply = "It is ten past nine in the morning in Tokyo."
    static let replyVoice = "v2/en_speaker_3"
    static let lookahead = (try? OpusEncoder(settings: .voice).lookahead) ?? 312

    /// The speaker's microphone, 20 ms at a time: a moment of room sound, the phrase, then quiet
    /// long enough for the bridge's segmenter to close the utterance.
    let microphone: [[Float]]

    // What each step leaves for the next.
    private(set) var segment: [Float] = []
    private(set) var segmentComments: [String: String] = [:]
    private(set) var segmentFile: [UInt8] = []
    private(set) var segmentUpload: DecodedAudio?
    private(set) var processed: (samples: [Float], comments: [String: String]) = ([], [:])
    private(set) var processedFile: [UInt8] = []
    private(set) var sttUpload: DecodedAudio?
    private(set) var enhanceInput: DecodedAudio?
    private(set) var enhanced: (samples: [Float], comments: [String: String]) = ([], [:])
    private(set) var enhancedFile: [UInt8] = []
    private(set) var heard: [Float] = []
    private(set) var voicedSeconds = 0.0
    private(set) var modelInput: [Float] = []
    private(set) var replyPCM: [Float] = []
    private(set) var replyFile: [UInt8] = []
    private(set) var playedSamples = 0
    private(set) var sentBytes = 0
    private(set) var segmentsClosed = 0
    // The link's codec work measured apart from the link: what the speaker's client encodes and
    // what the bridge decodes.
    private var linkPackets: [[UInt8]] = []
    private var linkDecoded: [[Float]] = []

    init() {
        let speech = SpeechSynthesizer(voice: Voice.named(Self.speakerVoice) ?? .default).synthesize(Self.phrase)
        // Room sound from a fixed sequence: the VAD's noise floor needs some, and it must not vary.
        var state: UInt32 = 0x2545_F491
        func room(_ count: Int) -> [Float] {
            (0..<count).map { _ in
                state = state &* 1_664_525 &+ 1_013_904_223
                return (Float(state >> 8) / Float(1 << 24) - 0.5) * 0.0011
            }
        }
        let rate = AudioFormat.sampleRate
        var stream = room(rate * 3 / 10) + speech.map { $0 + room(1)[0] } + room(rate)
        let size = AudioFormat.samplesPerFrame
        stream += [Float](repeating: 0, count: (size - stream.count % size) % size)
        microphone = stride(from: 0, to: stream.count, by: size).map { Array(stream[$0..<($0 + size)]) }
    }

    /// Every step of the path, in order. Codec steps carry their libopus floor.
    func steps() throws -> [Step] {
        var steps: [Step] = []
        func codec(_ stage: Stage, _ name: String, _ run: @escaping () throws -> Void,
                   encodes: @escaping () -> [Float]? = { nil }, decodes: @escaping () -> [Float]? = { nil }, live: Bool = false) {
            steps.append(Step(stage: stage, name: name, kind: .codec, run: run, floor: nil, measuredApart: stage == .bridgeLink))
            steps[steps.count - 1].floor = Self.floor(encodes: encodes, decodes: decodes, live: live)
        }
        func dsp(_ stage: Stage, _ name: String, _ run: @escaping () throws -> Void) {
            steps.append(Step(stage: stage, name: name, kind: .dsp, run: run, floor: nil))
        }

        // 1. The speaker's client encodes every frame; the bridge decodes it out of its jitter
        // buffer and cuts the stream into utterances (VoiceLink, no loss, no jitter).
        steps.append(Step(stage: .bridgeLink, name: "jitter buffer, VAD segmenter (link minus codec)", kind: .link,
                          run: { [unowned self] in try runLink() }, floor: nil))
        codec(.bridgeLink, "client encode, 20 ms frames", { [unowned self] in
            let encoder = try OpusEncoder(settings: .voice)
            linkPackets = try microphone.map { try encoder.encode($0) }
        }, encodes: { [unowned self] in microphone.flatMap { $0 } }, live: true)
        codec(.bridgeLink, "bridge decode, 20 ms frames", { [unowned self] in
            let decoder = try OpusDecoder()
            linkDecoded = try linkPackets.map { try decoder.decode($0) }
        }, decodes: { [unowned self] in microphone.flatMap { $0 } }, live: true)
        // 2. TurnStages.encode: the segment as the Ogg Opus file every service takes.
        dsp(.segmentEncode, "comments (PII redaction)") { [unowned self] in
            segmentComments = [OpusComment.referenceTranscript: PIIRedactor.shared.redacted(Self.phrase),
                               OpusComment.speaker: "bench", OpusComment.voice: Self.speakerVoice]
        }
        codec(.segmentEncode, "OggOpus.encode", { [unowned self] in
            segmentFile = try OggOpus.encode(segment, comments: segmentComments)
        }, encodes: { [unowned self] in segment })
        // 3. audio-processor /process/segment: decode, trim and normalise, encode.
        codec(.processSegment, "decode (AudioUpload)", { [unowned self] in
            segmentUpload = try Self.upload(segmentFile)
        }, decodes: { [unowned self] in segment })
        dsp(.processSegment, "VAD trim, normalise, quality scores") { [unowned self] in
            if let segmentUpload { processed = AudioProcessorBench.segment(segmentUpload) }
        }
        codec(.processSegment, "OggOpus.encode", { [unowned self] in
            processedFile = try OggOpus.encode(processed.samples, comments: processed.comments)
        }, encodes: { [unowned self] in processed.samples })
        // 4. stt reads the upload; 5. and has the processor enhance it.
        codec(.sttUpload, "decode (AudioUpload)", { [unowned self] in
            sttUpload = try Self.upload(processedFile)
        }, decodes: { [unowned self] in processed.samples })
        codec(.enhance, "decode (AudioUpload)", { [unowned self] in
            enhanceInput = try Self.upload(processedFile)
        }, decodes: { [unowned self] in processed.samples })
        dsp(.enhance, "high-pass, VAD, gate, normalise, scores") { [unowned self] in
            if let enhanceInput { enhanced = AudioProcessorBench.enhance(enhanceInput) }
        }
        codec(.enhance, "OggOpus.encode", { [unowned self] in
            enhancedFile = try OggOpus.encode(enhanced.samples, comments: enhanced.comments)
        }, encodes: { [unowned self] in enhanced.samples })
        // 6. stt decodes the enhanced audio, finds its voiced regions, resamples for the model.
        codec(.sttRecognize, "OggOpus.decode", { [unowned self] in
            heard = try OggOpus.decode(enhancedFile).samples
        }, decodes: { [unowned self] in enhanced.samples })
        dsp(.sttRecognize, "voiced regions") { [unowned self] in voicedSeconds = STTBench.voicedSeconds(heard) }
        dsp(.sttRecognize, "resample to 16 kHz (pocketsphinx input)") { [unowned self] in
            modelInput = Resampler.resample(heard, from: AudioFormat.sampleRate, to: 16_000)
        }
        // 7. tts speaks the reply (flite, resampling, loudness) and encodes it (SpeechEngine.render).
        dsp(.tts, "synthesis (flite, resample, loudness)") { [unowned self] in
            replyPCM = SpeechSynthesizer(voice: Voice.named(Self.replyVoice) ?? .default).synthesize(Self.reply)
        }
        codec(.tts, "OggOpus.encode", { [unowned self] in
            let shown = PIIRedactor.shared.redacted(Self.reply)
            replyFile = try OggOpus.encode(replyPCM, comments: [OpusComment.title: shown, OpusComment.voice: Self.replyVoice,
                                                                OpusComment.referenceTranscript: shown])
        }, encodes: { [unowned self] in replyPCM })
        // 8. The bridge reads the reply's Ogg pages and its voice sends the 20 ms Opus packets as
        // they are (ReplyAudio): no decode, no encode, so no libopus floor either.
        steps.append(Step(stage: .playback, name: "Ogg demux, 20 ms packets passed through", kind: .codec, run: { [unowned self] in
            let audio = try ReplyAudio(replyFile, peer: "tts-bark")
            guard case .opus(let packets) = audio.frames else { return }
            sentBytes = packets.reduce(0) { $0 + $1.count }
            playedSamples = Int((audio.seconds * Double(AudioFormat.sampleRate)).rounded())
        }, floor: nil))
        return steps
    }

    /// The whole VoiceLink, as the bridge runs one per speaker; keeps the first utterance it closes.
    private func runLink() throws {
        let link = try VoiceLink(segmenter: Segmenter(), telemetry: LinkTelemetry { _ in })
        var closed: [Segment] = []
        for frame in microphone { closed += try link.carry(frame) }
        closed += link.flush()
        segmentsClosed = closed.count
        segment = closed.first?.samples ?? []
    }

    /// Runs every step of `stage` once; `apart`: also the steps only repeated to be measured apart.
    func run(_ stage: Stage, steps: [Step], apart: Bool = true) throws {
        for step in steps where step.stage == stage && (apart || !step.measuredApart) { try step.run() }
    }

    /// Is the turn whole: an utterance heard, audio through every service, a reply played?
    var problem: String? {
        if segment.isEmpty { return "the bridge's segmenter closed no utterance" }
        if processedFile.isEmpty || enhancedFile.isEmpty || heard.isEmpty { return "the processed audio is empty" }
        if replyPCM.isEmpty { return "flite spoke no reply" }
        if playedSamples != replyPCM.count { return "the reply played \(playedSamples) samples, not \(replyPCM.count)" }
        if sentBytes == 0 { return "the reply's packets did not pass through" }
        if (try? TTSBench.render(Self.reply, voiceID: Self.replyVoice)) != replyFile {
            return "the reply file differs from what tts's SpeechEngine.render makes"
        }
        return nil
    }

    var seconds: (speaker: Double, segment: Double, reply: Double) {
        let rate = Double(AudioFormat.sampleRate)
        return (Double(microphone.count) * AudioFormat.frameDuration, Double(segment.count) / rate, Double(replyPCM.count) / rate)
    }

    private static func upload(_ file: [UInt8]) throws -> DecodedAudio {
        try AudioUpload.decode(file, mediaType: "audio/ogg", maxSeconds: AudioProcessorBench.maxAudioSeconds).audio
    }

    /// libopus alone encoding what a step encodes (as many whole frames as an Ogg file of it has,
    /// lookahead included, or as the 20 ms frames a live stream sends) and decoding as many
    /// frames as the step decodes. Inputs are prepared once, outside the measurement.
    private static func floor(encodes: @escaping () -> [Float]?, decodes: @escaping () -> [Float]?,
                              live: Bool) -> () -> Void {
        var prepared: (() -> Void)?
        return {
            if prepared == nil {
                if let pcm = encodes() {
                    let input = OpusReference.padded(pcm, frames: frameCount(pcm, live: live))
                    prepared = { _ = OpusReference.encode(input) }
                } else if let pcm = decodes() {
                    let packets = OpusReference.encode(OpusReference.padded(pcm, frames: frameCount(pcm, live: live)))
                    prepared = { OpusReference.decode(packets) }
                } else {
                    prepared = {}
                }
            }
            prepared?()
        }
    }

    /// Frames an Ogg Opus file of `pcm` holds (the lookahead rides on the end); a live stream's
    /// frames are already whole, and its lookahead is never flushed.
    private static func frameCount(_ pcm: [Float], live: Bool) -> Int {
        let size = AudioFormat.samplesPerFrame
        return max(1, (pcm.count + (live ? 0 : lookahead) + size - 1) / size)
    }
}
