public import ServiceKit

/// The OpenAI-shaped chat completion API that llm-flan serves (POST /v1/chat/completions).
public struct ChatMessage: Codable, Sendable, Equatable {
    public var role: String
    public var content: String

    public init(role: String, content: String) {
        self.role = role
        self.content = content
    }
}

public struct ChatCompletionRequest: Codable, Sendable, Equatable {
    public var model: String?
    public var messages: [ChatMessage]
    public var maxTokens: Int?
    public var temperature: Double?
    public var stream: Bool?

    public init(model: String? = nil, messages: [ChatMessage], maxTokens: Int? = nil, temperature: Double? = nil,
                stream: Bool? = nil) {
        self.model = model
        self.messages = messages
        self.maxTokens = maxTokens
        self.temperature = temperature
        self.stream = stream
    }
}

public struct Usage: Codable, Sendable, Equatable {
    public var promptTokens: Int
    public var completionTokens: Int
    public var totalTokens: Int

    public init(promptTokens: Int, completionTokens: Int) {
        self.promptTokens = promptTokens
        self.completionTokens = completionTokens
        self.totalTokens = promptTokens + completionTokens
    }
}

public struct ChatCompletion: Codable, Sendable, Equatable {
    public struct Choice: Codable, Sendable, Equatable {
        public var index: Int
        public var message: ChatMessage
        public var finishReason: String

        public init(index: Int, message: ChatMessage, finishReason: String) {
            self.index = index
            self.message = message
            self.finishReason = finishReason
        }
    }

    public var id: String
    public var object: String
    public var created: Int
    public var model: String
    public var choices: [Choice]
    public var usage: Usage

    public init(id: String, object: String = "chat.completion", created: Int, model: String, choices: [Choice],
                usage: Usage) {
        self.id = id
        self.object = object
        self.created = created
        self.model = model
        self.choices = choices
        self.usage = usage
    }
}

/// One server-sent event of a streamed completion (`object: chat.completion.chunk`).
public struct ChatCompletionChunk: Codable, Sendable, Equatable {
    public struct Delta: Codable, Sendable, Equatable {
        public var role: String?
        public var content: String?

        public init(role: String? = nil, content: String? = nil) {
            self.role = role
            self.content = content
        }
    }

    public struct Choice: Codable, Sendable, Equatable {
        public var index: Int
        public var delta: Delta
        public var finishReason: String?

        public init(index: Int, delta: Delta, finishReason: String?) {
            self.index = index
            self.delta = delta
            self.finishReason = finishReason
        }
    }

    public var id: String
    public var object: String
    public var created: Int
    public var model: String
    public var choices: [Choice]
    /// Sent on the last chunk only, as OpenAI does with `stream_options.include_usage`.
    public var usage: Usage?

    public init(id: String, object: String = "chat.completion.chunk", created: Int, model: String, choices: [Choice],
                usage: Usage? = nil) {
        self.id = id
        self.object = object
        self.created = created
        self.model = model
        self.choices = choices
        self.usage = usage
    }
}

/// A finished generation as the orchestrator sees it, with the caller-side timings it reports.
public struct Generation: Sendable, Equatable {
    public var text: String
    public var model: String
    public var usage: Usage
    /// Seconds from sending the request to the first content token arriving.
    public var timeToFirstToken: Double
    /// Seconds from sending the request to the last token.
    public var duration: Double

    public init(text: String, model: String, usage: Usage, timeToFirstToken: Double, duration: Double) {
        self.text = text
        self.model = model
        self.usage = usage
        self.timeToFirstToken = timeToFirstToken
        self.duration = duration
    }
}

/// What the orchestrator needs from a language model.
public protocol LanguageModel: Peer {
    func generate(_ messages: [ChatMessage], maxTokens: Int) async throws -> Generation
    /// The same generation, handing each piece of text to `onText` as it arrives, so the caller
    /// can act on the first sentence while the model writes the rest.
    func generate(_ messages: [ChatMessage], maxTokens: Int,
                  onText: @escaping @Sendable (String) -> Void) async throws -> Generation
}

extension LanguageModel {
    /// A model that cannot stream hands its whole reply over as one piece.
    public func generate(_ messages: [ChatMessage], maxTokens: Int,
                         onText: @escaping @Sendable (String) -> Void) async throws -> Generation {
        let generation = try await generate(messages, maxTokens: maxTokens)
        onText(generation.text)
        return generation
    }
}
