import FleetContracts
import FleetTelemetry
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import ServiceKit
import Tracing

/// llm-flan's HTTP surface: OpenAI-shaped chat completions (whole or streamed as server-sent
/// events) and the model list.
///
/// `temperature` is validated but does not change the reply: the stub is deterministic by design.
struct LLMFlanController: Sendable {
    let model: ChatModel
    let pacer: TokenPacer
    let maxBodyBytes: Int
    /// The process's fault scenarios, drawn per generation (see `GenerationFaults`).
    let scenarios: ScenarioBoard
    let logger: Logger

    /// The OpenAI model list; `created` is FLAN-T5's release, 20 October 2022.
    struct ModelList: Codable, Sendable, Equatable, ResponseEncodable {
        struct Model: Codable, Sendable, Equatable {
            var id: String
            var object = "model"
            var created = 1_666_224_000
            var ownedBy = "google"
        }
        var object = "list"
        var data = [Model(id: LLMFlanConfig.modelID)]
    }

    func addRoutes(to group: RouterGroup<FleetRequestContext>) {
        group.post("/v1/chat/completions", use: chatCompletions)
        group.get("/v1/models", use: models)
        group.get("/models", use: models)
    }

    func models(request: Request, context: FleetRequestContext) async throws -> ModelList {
        ModelList()
    }

    /// A whole completion as JSON, or a stream of server-sent events when the request says
    /// `"stream": true`; one route answers both, so the handler returns a `Response`.
    func chatCompletions(request: Request, context: FleetRequestContext) async throws -> Response {
        let body = try await request.decodeJSON(ChatCompletionRequest.self, limit: maxBodyBytes)
        let id = "chatcmpl-" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(24)
        let plan = try model.plan(body, now: Date(), id: id)
        let faults = GenerationFaults(board: scenarios, tokens: plan.pieces.count, streamed: body.stream == true)
        if body.stream == true { return stream(plan, temperature: body.temperature, faults: faults) }

        // A whole completion has nothing to write while it waits, so a hung one cannot notice its
        // caller leave (Hummingbird does not cancel a handler when the connection closes): it
        // ends after `GenerationFaults.hangSeconds`, or at shutdown.
        let text: String
        do {
            text = try await withStageSpan(StageSpan.generate) { span in
                try await generate(plan, temperature: body.temperature, faults: faults, span: span) { _ in }
            }
        } catch {
            MetricCatalog.llmGenerations.increment(["outcome": "abandoned"])  // cancelled: shutting down
            throw error
        }
        MetricCatalog.llmGenerations.increment(["outcome": "completed"])
        let completion = ChatCompletion(
            id: plan.id, created: plan.created, model: plan.model,
            choices: [.init(index: 0, message: ChatMessage(role: "assistant", content: text), finishReason: plan.finishReason)],
            usage: plan.usage)
        return try completion.response(from: request, context: context)
    }

    /// A streamed completion: headers go out at once, then one `data:` event per token group as
    /// the pacer releases it, a final chunk with the finish reason and usage, and `data: [DONE]`.
    ///
    /// The body is written after the handler (and its server span) has returned, so the request's
    /// trace context is carried into the writer by hand; the generate span then covers the real
    /// generation time and is a child of the request's span.
    func stream(_ plan: CompletionPlan, temperature: Double?, faults: GenerationFaults) -> Response {
        let parent = ServiceContext.current ?? .topLevel
        let body = ResponseBody { writer in
            do {
                try await ServiceContext.$current.withValue(parent) {
                    try await withStageSpan(StageSpan.generate) { span in
                        try await writeEvents(plan, temperature: temperature, faults: faults, span: span, to: &writer)
                    }
                }
            } catch let cut as StreamCut {
                MetricCatalog.llmGenerations.increment(["outcome": "cut"])
                logger.warning("reply stream cut", metadata: ["completion_id": "\(plan.id)", "reason": "\(cut)"])
                throw cut
            } catch {
                // A write failed or the task was cancelled: nobody is reading any more.
                MetricCatalog.llmGenerations.increment(["outcome": "abandoned"])
                logger.notice("generation abandoned: the caller went away",
                              metadata: ["completion_id": "\(plan.id)", "error": "\(error)"])
                throw error
            }
            MetricCatalog.llmGenerations.increment(["outcome": "completed"])
            try await writer.finish(nil)
        }
        return Response(status: .ok,
                        headers: [.contentType: MediaType.eventStream, .cacheControl: "no-cache", .accelBuffering: "no"],
                        body: body)
    }

    /// The events of a streamed completion, cut short when `faults` says so.
    private func writeEvents(_ plan: CompletionPlan, temperature: Double?, faults: GenerationFaults, span: any Span,
                             to writer: inout any ResponseBodyWriter) async throws {
        try await writer.write(Self.event(Self.chunk(plan, delta: .init(role: "assistant", content: ""))))
        var sent = 0
        _ = try await generate(plan, temperature: temperature, faults: faults, span: span,
                               keepAlive: { try await writer.write(Self.keepAlive) }) { group in
            guard let cut = faults.cutAfterTokens, sent + group.count >= cut else {
                try await writer.write(Self.event(Self.chunk(plan, delta: .init(content: group.joined()))))
                sent += group.count
                return
            }
            let last = group.prefix(cut - sent)
            if !last.isEmpty {
                try await writer.write(Self.event(Self.chunk(plan, delta: .init(content: last.joined()))))
            }
            throw StreamCut(sent: cut, of: plan.pieces.count)
        }
        try await writer.write(Self.event(Self.chunk(plan, delta: .init(), finishReason: plan.finishReason,
                                                     usage: plan.usage)))
        try await writer.write(ByteBuffer(string: "data: [DONE]\n\n"))
    }

    /// An SSE comment: clients skip it, and writing it fails once the caller has gone.
    static let keepAlive = ByteBuffer(string: ": keep-alive\n\n")

    /// Paces the plan's tokens out through `emit`, annotates the span with the gen_ai attributes
    /// and records the model metrics; returns the text generated.
    func generate(_ plan: CompletionPlan, temperature: Double?, faults: GenerationFaults = .init(), span: any Span,
                  keepAlive: () async throws -> Void = {},
                  emit: ([String]) async throws -> Void) async throws -> String {
        span.attributes["gen_ai.system"] = "flan-t5"
        span.attributes["gen_ai.operation.name"] = "chat"
        span.attributes["gen_ai.request.model"] = plan.model
        span.attributes["gen_ai.request.max_tokens"] = plan.maxTokens
        if let temperature { span.attributes["gen_ai.request.temperature"] = temperature }
        span.attributes["gen_ai.usage.input_tokens"] = plan.usage.promptTokens
        span.attributes["llm.intent"] = plan.intent.rawValue
        faults.annotate(span)

        let timing = try await pacer.run(plan.pieces, promptTokens: plan.usage.promptTokens,
                                         firstTokenDelay: faults.firstTokenDelay, keepAlive: keepAlive) { group, isFirst in
            if isFirst {
                span.addEvent(SpanEvent(name: StageSpan.firstTokenEvent))
            }
            try await emit(group)
        }

        span.attributes["gen_ai.response.id"] = plan.id
        span.attributes["gen_ai.response.model"] = plan.model
        span.attributes["gen_ai.response.finish_reasons"] = [plan.finishReason]
        span.attributes["gen_ai.usage.output_tokens"] = plan.usage.completionTokens
        span.attributes["llm.time_to_first_token_ms"] = timing.timeToFirstToken * 1000
        MetricCatalog.llmTimeToFirstToken.observe(timing.timeToFirstToken)
        MetricCatalog.llmRequestDuration.observe(timing.duration, ["intent": plan.intent.rawValue])
        MetricCatalog.llmTokens.increment(by: Double(plan.usage.promptTokens), ["gen_ai_token_type": "input"])
        MetricCatalog.llmTokens.increment(by: Double(plan.usage.completionTokens), ["gen_ai_token_type": "output"])
        if let rate = timing.tokensPerSecond { MetricCatalog.llmOutputTokensPerSecond.observe(rate) }
        return plan.text
    }

    static func chunk(_ plan: CompletionPlan, delta: ChatCompletionChunk.Delta, finishReason: String? = nil,
                      usage: Usage? = nil) -> ChatCompletionChunk {
        ChatCompletionChunk(id: plan.id, created: plan.created, model: plan.model,
                            choices: [.init(index: 0, delta: delta, finishReason: finishReason)], usage: usage)
    }

    /// One server-sent event carrying `chunk` as JSON.
    static func event(_ chunk: ChatCompletionChunk) throws -> ByteBuffer {
        var buffer = ByteBuffer(string: "data: ")
        buffer.writeBytes(try JSONEncoder.fleet.encode(chunk))
        buffer.writeString("\n\n")
        return buffer
    }
}
