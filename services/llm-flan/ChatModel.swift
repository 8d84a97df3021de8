import FleetContracts
import Foundation
import ServiceKit

/// One completion decided before any of it is "generated": the reply, where it stops and what it
/// costs. Pacing it out token by token is `TokenPacer`'s job.
struct CompletionPlan: Sendable, Equatable {
    var id: String
    var created: Int
    var model: String
    var intent: Intent
    /// The reply's tokens, already cut at max_tokens; they concatenate to the reply text.
    var pieces: [String]
    /// "stop" when the reply is complete, "length" when max_tokens cut it.
    var finishReason: String
    var usage: Usage
    var maxTokens: Int

    var text: String { pieces.joined() }
}

/// The stubbed FLAN-T5: validates a chat request the way an OpenAI-compatible server does and
/// plans the reply. Deterministic apart from `now`.
struct ChatModel: Sendable {
    static let roles: Set<String> = ["system", "developer", "user", "assistant"]

    var contextTokens = 2048
    var defaultMaxTokens = 256
    var composer = ReplyComposer()

    func plan(_ request: ChatCompletionRequest, now: Date, id: String) throws -> CompletionPlan {
        try validate(request)
        let promptTokens = Tokenizer.promptTokens(request.messages.map { ($0.role, $0.content) })
        guard promptTokens <= contextTokens else {
            throw FleetError.badRequest("This model's maximum context length is \(contextTokens) tokens; "
                + "the messages take \(promptTokens). Shorten the conversation history.")
        }
        let maxTokens = request.maxTokens ?? defaultMaxTokens
        let reply = composer.reply(to: request.messages, now: now)
        let all = Tokenizer.pieces(reply.text)
        let pieces = Array(all.prefix(maxTokens))
        return CompletionPlan(id: id, created: Int(now.timeIntervalSince1970), model: LLMFlanConfig.modelID,
                              intent: reply.intent, pieces: pieces,
                              finishReason: pieces.count < all.count ? "length" : "stop",
                              usage: Usage(promptTokens: promptTokens, completionTokens: pieces.count),
                              maxTokens: maxTokens)
    }

    /// The checks an OpenAI-compatible server makes, each with a message saying what to fix.
    func validate(_ request: ChatCompletionRequest) throws {
        if let model = request.model, model != LLMFlanConfig.modelID {
            throw FleetError.notFound("The model '\(model)' does not exist; this server has '\(LLMFlanConfig.modelID)'.")
        }
        guard !request.messages.isEmpty else {
            throw FleetError.badRequest("'messages' must contain at least one message.")
        }
        for (index, message) in request.messages.enumerated() where !Self.roles.contains(message.role) {
            throw FleetError.badRequest("messages[\(index)].role '\(message.role)' is not one of "
                + Self.roles.sorted().joined(separator: ", ") + ".")
        }
        guard request.messages.contains(where: { $0.role == "user" }) else {
            throw FleetError.badRequest("'messages' has no message with role 'user' to answer.")
        }
        if let maxTokens = request.maxTokens, !(1...contextTokens).contains(maxTokens) {
            throw FleetError.badRequest("'max_tokens' must be between 1 and \(contextTokens); got \(maxTokens).")
        }
        if let temperature = request.temperature, !(0...2).contains(temperature) {
            throw FleetError.badRequest("'temperature' must be between 0 and 2; got \(temperature).")
        }
    }
}
