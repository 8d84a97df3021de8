public import FleetContracts
public import ServiceKit

/// A model that answers "You said: <last message>" unless told what to say, and remembers every prompt.
public actor FakeLanguageModel: LanguageModel, InMemoryPeer {
    public nonisolated let name = "llm-flan"
    let reply: String?
    let failure: FleetError?
    public private(set) var prompts: [[ChatMessage]] = []

    /// `failure`, when set, is thrown by every call, and the fake reads as down to a liveness probe.
    public init(reply: String? = nil, failure: FleetError? = nil) {
        self.reply = reply
        self.failure = failure
    }

    public func isLive() async -> Bool { failure == nil }

    public func generate(_ messages: [ChatMessage], maxTokens: Int) async throws -> Generation {
        prompts.append(messages)
        if let failure { throw failure }
        let text = reply ?? "You said: \(messages.last?.content ?? "")"
        return Generation(text: text, model: "fake-flan", usage: Usage(promptTokens: 10, completionTokens: 5),
                          timeToFirstToken: 0.01, duration: 0.02)
    }

    /// Streams the reply a word at a time (each with the space before it), as llm-flan's tokens come.
    public func generate(_ messages: [ChatMessage], maxTokens: Int,
                         onText: @escaping @Sendable (String) -> Void) async throws -> Generation {
        let generation = try await generate(messages, maxTokens: maxTokens)
        var first = true
        for word in generation.text.split(separator: " ", omittingEmptySubsequences: false) {
            try Task.checkCancellation()
            onText(first ? String(word) : " " + word)
            first = false
            await Task.yield()
        }
        return generation
    }
}
