import FleetAudio
import FleetUploads

/// The three readers that take bytes from outside the fleet, as the fuzz target and the
/// regression tests call them: one input, one reader (chosen by the input's first byte), one
/// outcome, and the budget every reader must keep whatever the bytes say.
///
/// The fuzz executable (Sources/fleet-fuzz) traps on ``Outcome/violations`` so libFuzzer keeps the
/// input; the regression tests (Tests/FuzzRegressionTests) replay every kept input and expect none.
public enum FuzzEntryPoint: UInt8, CaseIterable, Sendable {
    /// The Ogg Opus reader and decoder (`OggOpus.decode`).
    case oggOpus = 0
    /// The RIFF/WAVE reader (`WAV.decode`).
    case wav = 1
    /// stt's multipart path: a Content-Type line, then a `multipart/form-data` body whose `file`
    /// part is sniffed and decoded like an upload.
    case multipart = 2

    /// The per-input audio budget: 30 s at 48 kHz, what the services' limits look like scaled
    /// down so that a breach shows up fast and well within libFuzzer's memory limit.
    public static let maxSamples = 30 * AudioFormat.sampleRate
    /// The most one decode may produce past the budget before trimming: one 120 ms Opus packet
    /// (the last one decoded may run past the timeline's end) plus the longest pre-skip.
    static let decodeSlack = 5_760 + Int(UInt16.max)

    /// What one input did: refused with a codec error's code, or accepted with so many samples.
    public struct Outcome: Sendable, CustomStringConvertible {
        public var entryPoint: FuzzEntryPoint
        public var refusal: String?
        public var samples = 0
        /// Broken promises: more audio than the budget, or more decoding work than the timeline.
        public var violations: [String] = []

        public var description: String {
            "\(entryPoint): " + (refusal.map { "refused (\($0))" } ?? "accepted, \(samples) samples")
                + (violations.isEmpty ? "" : "; VIOLATIONS: " + violations.joined(separator: "; "))
        }
    }

    /// The entry point's name in corpus folders and FLEET_FUZZ_ENTRY: ogg-opus, wav, multipart.
    public var name: String {
        switch self {
        case .oggOpus: "ogg-opus"
        case .wav: "wav"
        case .multipart: "multipart"
        }
    }

    public init?(name: String) {
        guard let match = Self.allCases.first(where: { $0.name == name }) else { return nil }
        self = match
    }

    /// Runs `input`: its first byte picks the entry point (modulo three), the rest is the payload.
    public static func run(_ input: [UInt8]) -> Outcome {
        guard let selector = input.first else { return Outcome(entryPoint: .oggOpus, refusal: "empty input") }
        let entryPoint = allCases[Int(selector) % allCases.count]
        return entryPoint.run(payload: Array(input.dropFirst()))
    }

    /// `payload` prefixed with this entry point's selector byte: how corpus files are written.
    public func input(_ payload: [UInt8]) -> [UInt8] {
        [rawValue] + payload
    }

    public func run(payload: [UInt8]) -> Outcome {
        var outcome = Outcome(entryPoint: self)
        switch self {
        case .oggOpus: Self.decodeOgg(payload, into: &outcome)
        case .wav: Self.decodeWAV(payload, into: &outcome)
        case .multipart: Self.readForm(payload, into: &outcome)
        }
        return outcome
    }

    private static func decodeOgg(_ bytes: [UInt8], into outcome: inout Outcome) {
        do {
            let audio = try OggOpus.decode(bytes, maxSamples: maxSamples)
            outcome.samples = audio.samples.count
            if audio.samples.count > maxSamples {
                outcome.violations.append("decoded \(audio.samples.count) samples, over the budget of \(maxSamples)")
            }
            if audio.decodedSamples > maxSamples + decodeSlack {
                outcome.violations.append("decoding produced \(audio.decodedSamples) samples before trimming")
            }
        } catch {
            outcome.refusal = error.code
        }
    }

    private static func decodeWAV(_ bytes: [UInt8], into outcome: inout Outcome) {
        do {
            let (samples, rate) = try WAV.decode(bytes, maxSamples: maxSamples)
            outcome.samples = samples.count
            if Double(samples.count) * Double(AudioFormat.sampleRate) / Double(rate) > Double(maxSamples) + 1 {
                outcome.violations.append("\(samples.count) samples at \(rate) Hz are over the budget of \(maxSamples) at 48 kHz")
            }
        } catch {
            outcome.refusal = error.code
        }
    }

    /// The payload's first line (up to LF) is the request's Content-Type; the rest is the body.
    private static func readForm(_ bytes: [UInt8], into outcome: inout Outcome) {
        let lineEnd = bytes.firstIndex(of: 10) ?? bytes.endIndex
        let contentType = String(decoding: bytes[..<lineEnd], as: UTF8.self)
        let body = Array(bytes[min(lineEnd + 1, bytes.endIndex)...])
        guard let boundary = MultipartBoundary.value(in: contentType) else {
            outcome.refusal = "no_boundary"
            return
        }
        let parts: [MultipartPart]
        do {
            parts = try MultipartPart.parse(body, boundary: boundary)
        } catch {
            outcome.refusal = "malformed_multipart"
            return
        }
        guard let file = parts.first(where: { $0.name == "file" }) else {
            outcome.refusal = "no_file_field"
            return
        }
        if AudioSniffer.isOggOpus(file.body) {
            decodeOgg(file.body, into: &outcome)
        } else if AudioSniffer.isWAV(file.body) {
            decodeWAV(file.body, into: &outcome)
        } else {
            outcome.refusal = "not_audio"
        }
    }
}
