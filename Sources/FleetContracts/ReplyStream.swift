import Foundation
public import ServiceKit

/// One sentence of a streamed reply (orchestrator, `"stream": true`): the text the guardrails
/// passed and, unless audio was not asked for or synthesis failed, its speech as a complete
/// Ogg Opus file. Sentences arrive in `index` order, each as soon as it can be played, so a
/// caller starts speaking the first while the model is still writing the rest.
public struct ReplySentence: Codable, Sendable, Equatable {
    public var index: Int
    public var text: String
    /// This sentence's speech as a complete Ogg Opus file, base64-encoded.
    public var audioBase64: String?
    public var audioSeconds: Double?
    /// Why this sentence has no audio although audio was asked for (`timeout: tts-bark: ...`).
    public var audioError: String?

    public init(index: Int, text: String, audioBase64: String? = nil, audioSeconds: Double? = nil,
                audioError: String? = nil) {
        self.index = index
        self.text = text
        self.audioBase64 = audioBase64
        self.audioSeconds = audioSeconds
        self.audioError = audioError
    }
}

/// The end of a streamed reply: today's `TranscriptResponse` without the audio (the sentences
/// carried it), with the first synthesis failure in place of the X-Audio-Error header, which a
/// stream has already sent by the time it happens.
public struct ReplyStreamDone: Codable, Sendable, Equatable {
    public var response: String
    public var sessionId: String
    public var correlationId: String
    public var engine: String
    public var allowed: Bool
    public var guardrailReason: String?
    /// Seconds of audio in all sentences together.
    public var audioSeconds: Double?
    public var voice: String?
    public var turn: Int
    public var sentences: Int
    public var audioError: String?

    public init(response: String, sessionId: String, correlationId: String, engine: String, allowed: Bool,
                guardrailReason: String?, audioSeconds: Double?, voice: String?, turn: Int, sentences: Int,
                audioError: String? = nil) {
        self.response = response
        self.sessionId = sessionId
        self.correlationId = correlationId
        self.engine = engine
        self.allowed = allowed
        self.guardrailReason = guardrailReason
        self.audioSeconds = audioSeconds
        self.voice = voice
        self.turn = turn
        self.sentences = sentences
        self.audioError = audioError
    }
}

/// Why a streamed turn failed after its 200 had gone out: the fleet's error fields, as the
/// `error` object of a JSON error body.
public struct ReplyStreamError: Codable, Sendable, Equatable {
    public var code: String
    public var message: String
    public var service: String

    public init(code: String, message: String, service: String) {
        self.code = code
        self.message = message
        self.service = service
    }
}

/// One server-sent event of a streamed turn. On the wire each is `event: <type>` plus one
/// `data:` line of JSON that carries the same `type`, so a reader that keeps only the data (as
/// the fleet's `ServerSentEventParser` does) still knows what it holds.
public enum ReplyStreamEvent: Sendable, Equatable, Codable {
    case sentence(ReplySentence)
    case done(ReplyStreamDone)
    case error(ReplyStreamError)

    public var type: String {
        switch self {
        case .sentence: "sentence"
        case .done: "done"
        case .error: "error"
        }
    }

    private enum Keys: String, CodingKey { case type, error }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Keys.self)
        try container.encode(type, forKey: .type)
        switch self {
        case .sentence(let sentence): try sentence.encode(to: encoder)
        case .done(let done): try done.encode(to: encoder)
        case .error(let error): try container.encode(error, forKey: .error)
        }
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Keys.self)
        switch try container.decode(String.self, forKey: .type) {
        case "sentence": self = .sentence(try ReplySentence(from: decoder))
        case "done": self = .done(try ReplyStreamDone(from: decoder))
        case "error": self = .error(try container.decode(ReplyStreamError.self, forKey: .error))
        case let other:
            throw DecodingError.dataCorruptedError(forKey: .type, in: container, debugDescription: "unknown event type '\(other)'")
        }
    }

    /// The event as SSE bytes: `event: <type>\ndata: <json>\n\n`.
    public func serverSentEvent() throws -> [UInt8] {
        Array("event: \(type)\ndata: ".utf8) + Array(try JSONEncoder.fleet.encode(self)) + Array("\n\n".utf8)
    }
}
