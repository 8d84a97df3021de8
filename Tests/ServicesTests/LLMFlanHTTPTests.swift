import AsyncHTTPClient
import FleetContracts
import FleetTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import ServiceKit
import Testing
@testable import LLMFlanService

@Suite("LLM (flan-t5 stub) HTTP")
struct LLMFlanHTTPTests {
    func withApp(_ setup: TestingSetup = .router, _ test: @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        try await testApplication(LLMFlanService.self).application.test(setup, test)
    }

    func post(_ client: any TestClientProtocol, _ body: String) async throws -> TestResponse {
        try await client.execute(uri: "/v1/chat/completions", method: .post, headers: [.contentType: "application/json"],
                                 body: ByteBuffer(string: body))
    }

    @Test func aCompletionOverHTTP() async throws {
        try await withApp { client in
            let response = try await post(client, #"{"model":"flan-t5-large","messages":[{"role":"user","content":"tell me a joke"}]}"#)
            #expect(response.status == .ok)
            let completion = try JSONDecoder.fleet.decode(ChatCompletion.self, from: Data(response.body.readableBytesView))
            #expect(completion.object == "chat.completion")
            #expect(completion.model == "flan-t5-large")
            #expect(completion.choices.first?.finishReason == "stop")
            #expect(ReplyComposer.jokes.contains(completion.choices.first?.message.content ?? ""))
            #expect(completion.choices.first?.message.role == "assistant")
            #expect(completion.usage.completionTokens == Tokenizer.count(completion.choices[0].message.content))
            let raw = String(buffer: response.body)
            #expect(["\"finish_reason\":\"stop\"", "\"prompt_tokens\"", "\"completion_tokens\"", "\"total_tokens\""].allSatisfy(raw.contains))
        }
    }

    @Test func aStreamedCompletionIsChunksThenDone() async throws {
        try await withApp { client in
            let body = #"{"messages":[{"role":"user","content":"what can you do"}],"stream":true}"#
            let response = try await post(client, body)
            #expect(response.status == .ok)
            #expect(response.headers[.contentType] == "text/event-stream")
            #expect(response.headers[.accelBuffering] == "no")
            #expect(String(buffer: response.body).contains("\"finish_reason\":\"stop\""))

            var parser = ServerSentEventParser()
            let events = try parser.feed(response.body.readableBytesView)
            #expect(events.last == "[DONE]")
            let chunks = try events.dropLast().map { try JSONDecoder.fleet.decode(ChatCompletionChunk.self, from: Data($0.utf8)) }
            #expect(chunks.count >= 3)  // role, content..., final
            #expect(chunks.first?.choices.first?.delta.role == "assistant")
            #expect(chunks.allSatisfy { $0.object == "chat.completion.chunk" && $0.id == chunks[0].id })
            #expect(chunks.last?.choices.first?.finishReason == "stop")
            #expect(chunks.dropLast().allSatisfy { $0.choices.first?.finishReason == nil && $0.usage == nil })

            var reader = ChatStreamReader()
            for event in events { try reader.consume(event) }
            #expect(reader.isDone)
            #expect(reader.text.hasPrefix("I'm Atlas"))
            #expect(reader.usage?.completionTokens == Tokenizer.count(reader.text))
            #expect(reader.finishReason == "stop")
        }
    }

    @Test func aStreamCutByMaxTokensEndsWithLength() async throws {
        try await withApp { client in
            let response = try await post(client, #"{"messages":[{"role":"user","content":"what can you do"}],"stream":true,"max_tokens":4}"#)
            var parser = ServerSentEventParser()
            var reader = ChatStreamReader()
            for event in try parser.feed(response.body.readableBytesView) { try reader.consume(event) }
            #expect(reader.finishReason == "length")
            #expect(reader.usage?.completionTokens == 4)
            #expect(Tokenizer.count(reader.text) == 4)
        }
    }

    @Test func badInputIsA400() async throws {
        try await withApp { client in
            let bodies = [
                "{oops",
                #"{"messages":[]}"#,
                #"{"messages":[{"role":"wizard","content":"hi"}]}"#,
                #"{"messages":[{"role":"user"}]}"#,
                #"{"messages":[{"role":"user","content":"hi"}],"max_tokens":-1}"#,
            ]
            for body in bodies {
                let response = try await post(client, body)
                #expect(response.status == .badRequest, "\(body)")
                #expect(String(buffer: response.body).contains("\"code\":\"bad_request\""))
            }
            let unknownModel = try await post(client, #"{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}]}"#)
            #expect(unknownModel.status == .notFound)
        }
    }

    @Test func modelsAreListedInTheOpenAIShape() async throws {
        try await withApp { client in
            for uri in ["/v1/models", "/models"] {
                let response = try await client.execute(uri: uri, method: .get)
                #expect(response.status == .ok)
                let list = try JSONDecoder.fleet.decode(LLMFlanController.ModelList.self, from: Data(response.body.readableBytesView))
                #expect(list.object == "list")
                #expect(list.data.map(\.id) == ["flan-t5-large"])
                #expect(String(buffer: response.body).contains("\"owned_by\":\"google\""))
            }
        }
    }

    /// The orchestrator's client against a live server: real sockets, a real streamed body.
    @Test func theClientReadsTheStreamFromALiveServer() async throws {
        try await withApp(.live) { client in
            let port = try #require(client.port)
            let downstream = DownstreamClient(peer: "llm-flan", url: "http://localhost:\(port)", http: .shared)
            let generation = try await LanguageModelClient(downstream).generate(
                [ChatMessage(role: "user", content: "what can you do")], maxTokens: 64)
            #expect(generation.text.hasPrefix("I'm Atlas"))
            #expect(generation.model == "flan-t5-large")
            #expect(generation.usage.completionTokens == Tokenizer.count(generation.text))
            #expect(generation.timeToFirstToken > 0)
            #expect(generation.duration >= generation.timeToFirstToken)

            await #expect(throws: FleetError.self) {
                try await LanguageModelClient(downstream, model: "nonexistent").generate(
                    [ChatMessage(role: "user", content: "hi")], maxTokens: 8)
            }
        }
    }
}
