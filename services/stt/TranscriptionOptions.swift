import ServiceKit

/// The query parameters of POST /asr and /transcribe, as faster-whisper's API named them.
/// Every value is checked: a malformed one is a 400 naming the parameter, never a silent default.
struct TranscriptionOptions: Sendable, Equatable {
    enum Task: String, Sendable { case transcribe, translate }

    var language = "en"
    /// Candidates kept per decoding step; faster-whisper's default is 5. Wider beams cost time.
    var beamSize = 5
    var task = Task.transcribe
    /// Word-level `segments` instead of one segment per phrase.
    var wordTimestamps = false
    /// Drop non-speech before the model, as faster-whisper's Silero VAD filter does: the model
    /// then only spends time on the speech.
    var vadFilter = false
    /// Text that primes the decoder's vocabulary (names, jargon).
    var initialPrompt: String?
    var correlationID: String?

    static let beamSizes = 1...10
    static let maxPromptCharacters = 1_000
    static let maxCorrelationIDCharacters = 128

    init() {}

    /// Reads and validates the options from a query string's parameters.
    init(query: (String) -> String?) throws {
        if let raw = query("language") {
            let code = raw.lowercased()
            // ISO 639-1/-3 codes: two or three letters.
            guard (2...3).contains(code.count), code.allSatisfy({ $0.isASCII && $0.isLetter }) else {
                throw FleetError.badRequest("language='\(raw)' is not a language code such as 'en'.")
            }
            language = code
        }
        if let raw = query("beam_size") {
            guard let value = Int(raw), Self.beamSizes.contains(value) else {
                throw FleetError.badRequest("beam_size='\(raw)' must be an integer from \(Self.beamSizes.lowerBound) to \(Self.beamSizes.upperBound).")
            }
            beamSize = value
        }
        if let raw = query("task") {
            guard let value = Task(rawValue: raw.lowercased()) else {
                throw FleetError.badRequest("task='\(raw)' must be 'transcribe' or 'translate'.")
            }
            task = value
        }
        wordTimestamps = try Self.bool(query, "word_timestamps") ?? false
        vadFilter = try Self.bool(query, "vad_filter") ?? false
        if let prompt = query("initial_prompt"), !prompt.isEmpty {
            guard prompt.count <= Self.maxPromptCharacters else {
                throw FleetError.badRequest("initial_prompt is longer than \(Self.maxPromptCharacters) characters.")
            }
            initialPrompt = prompt
        }
        if let id = query("correlation_id"), !id.isEmpty {
            guard id.count <= Self.maxCorrelationIDCharacters, id.allSatisfy({ $0.isASCII && !$0.isWhitespace }) else {
                throw FleetError.badRequest("correlation_id must be at most \(Self.maxCorrelationIDCharacters) printable ASCII characters.")
            }
            correlationID = id
        }
    }

    /// FastAPI's bool parsing: true/false, 1/0, yes/no, on/off.
    private static func bool(_ query: (String) -> String?, _ name: String) throws -> Bool? {
        guard let raw = query(name) else { return nil }
        switch raw.lowercased() {
        case "true", "1", "yes", "on": return true
        case "false", "0", "no", "off": return false
        default: throw FleetError.badRequest("\(name)='\(raw)' must be true or false.")
        }
    }
}
