import AsyncHTTPClient
import FleetTelemetry
import Foundation
import NIOCore
public import ServiceKit
import Tracing

/// llm-flan over HTTP, always streamed: the reply is read as server-sent events as they arrive, so
/// the caller measures time to first token the way a user would feel it.
///
/// The call runs in a client span named per the gen_ai conventions (`chat flan-t5-large`) with
/// the request and usage attributes and a `first_token` event; AsyncHTTPClient's own HTTP span
/// sits inside it.
public struct LanguageModelClient: LanguageModel, HTTPPeer {
    public let client: DownstreamClient
    public let model: String
    /// Largest single event accepted; a chunk is a few hundred bytes.
    static let maxEventBytes = 256 * 1024

    public init(_ client: DownstreamClient, model: String = "flan-t5-large") {
        self.client = client
        self.model = model
    }

    public func generate(_ messages: [ChatMessage], maxTokens: Int) async throws -> Generation {
        try await generate(messages, maxTokens: maxTokens, onText: { _ in })
    }

    public func generate(_ messages: [ChatMessage], maxTokens: Int,
                         onText: @escaping @Sendable (String) -> Void) async throws -> Generation {
        try await withStageSpan(StageSpan.chat(model: model), ofKind: .client) { span in
            span.attributes["gen_ai.operation.name"] = "chat"
            span.attributes["gen_ai.system"] = "flan-t5"
            span.attributes["gen_ai.request.model"] = model
            span.attributes["gen_ai.request.max_tokens"] = maxTokens
            span.attributes["server.address"] = URL(string: client.url)?.host ?? client.url
            if let port = URL(string: client.url)?.port { span.attributes["server.port"] = port }

            let request = ChatCompletionRequest(model: model, messages: messages, maxTokens: maxTokens, stream: true)
            let start = ContinuousClock.now
            let response = try await client.stream("/v1/chat/completions", json: Array(try JSONEncoder.fleet.encode(request)))

            var reader = ChatStreamReader()
            var parser = ServerSentEventParser(maxEventBytes: Self.maxEventBytes)
            var firstToken: Double?
            do {
                for try await buffer in response.body {
                    for data in try parser.feed(buffer.readableBytesView) {
                        let hadText = reader.hasContent, before = reader.text.utf8.count
                        try reader.consume(data)
                        if reader.text.utf8.count > before {
                            onText(String(decoding: reader.text.utf8.dropFirst(before), as: UTF8.self))
                        }
                        if !hadText && reader.hasContent {
                            firstToken = (ContinuousClock.now - start).seconds
                            span.addEvent(SpanEvent(name: StageSpan.firstTokenEvent))
                        }
                    }
                }
            } catch let error as ChatStreamReader.Failure {
                throw FleetError.downstream(.badResponse, peer: client.name, error.message)
            } catch is ServerSentEventParser.TooLarge {
                throw FleetError.downstream(.badResponse, peer: client.name,
                                            "an event is larger than \(Self.maxEventBytes) bytes")
            } catch {
                throw FleetError.downstream(.unavailable, peer: client.name, "the stream broke off: \(error)")
            }
            guard reader.isDone else {
                throw FleetError.downstream(.badResponse, peer: client.name, "the stream ended before [DONE]")
            }

            let duration = (ContinuousClock.now - start).seconds
            let ttft = firstToken ?? duration
            let usage = reader.usage ?? Usage(promptTokens: 0, completionTokens: 0)
            span.attributes["gen_ai.response.model"] = reader.model ?? model
            if let id = reader.id { span.attributes["gen_ai.response.id"] = id }
            span.attributes["gen_ai.response.finish_reasons"] = [reader.finishReason ?? "unknown"]
            span.attributes["gen_ai.usage.input_tokens"] = usage.promptTokens
            span.attributes["gen_ai.usage.output_tokens"] = usage.completionTokens
            MetricCatalog.stageTTFB.observe(ttft, ["stage": "llm"])
            return Generation(text: reader.text, model: reader.model ?? model, usage: usage,
                              timeToFirstToken: ttft, duration: duration)
        }
    }
}

/// Assembles a streamed chat completion from its events' `data` payloads.
public struct ChatStreamReader: Sendable {
    public struct Failure: Error, Sendable {
        public let message: String
    }

    public private(set) var text = ""
    public private(set) var id: String?
    public private(set) var model: String?
    public private(set) var finishReason: String?
    public private(set) var usage: Usage?
    /// True once `data: [DONE]` arrived.
    public private(set) var isDone = false
    public var hasContent: Bool { !text.isEmpty }

    public init() {}

    /// Takes one event's data: a chunk, an `{"error": ...}` object, or `[DONE]`.
    public mutating func consume(_ data: String) throws {
        if data == "[DONE]" {
            isDone = true
            return
        }
        let bytes = Data(data.utf8)
        guard let chunk = try? JSONDecoder.fleet.decode(ChatCompletionChunk.self, from: bytes) else {
            if let error = try? JSONDecoder.fleet.decode(StreamError.self, from: bytes) {
                throw Failure(message: "the model failed mid-stream: \(error.error.message)")
            }
            throw Failure(message: "an event is not a chat.completion.chunk: \(data.prefix(200))")
        }
        id = id ?? chunk.id
        model = model ?? chunk.model
        for choice in chunk.choices where choice.index == 0 {
            text += choice.delta.content ?? ""
            if let reason = choice.finishReason { finishReason = reason }
        }
        if let chunkUsage = chunk.usage { usage = chunkUsage }
    }

    struct StreamError: Decodable {
        struct Detail: Decodable { let message: String }
        let error: Detail
    }
}

/// An incremental parser of `text/event-stream` bodies (the WHATWG server-sent events format):
/// feed it bytes as they arrive, get back the `data` of every event completed so far.
///
/// Events end at a blank line (LF, CRLF or CR line ends); multiple `data:` lines of one event are
/// joined with newlines; comments (`:`) and the other fields (event, id, retry) are skipped.
public struct ServerSentEventParser: Sendable {
    private var line: [UInt8] = []
    private var dataLines: [String] = []
    private var pendingBytes = 0
    private var lastWasCR = false
    public let maxEventBytes: Int

    public struct TooLarge: Error, Sendable {}

    public init(maxEventBytes: Int = 1024 * 1024) {
        self.maxEventBytes = maxEventBytes
    }

    public mutating func feed(_ bytes: some Sequence<UInt8>) throws -> [String] {
        // Scanned as one contiguous buffer, a run of ordinary bytes appended at a time: iterating
        // a ByteBufferView byte by byte through this unspecialised generic cost the bridge 14 % of
        // its CPU at 100 speakers (perf), reading the orchestrator's streamed replies.
        if let events = try bytes.withContiguousStorageIfAvailable({ try scan($0) }) { return events }
        return try Array(bytes).withUnsafeBufferPointer { try scan($0) }
    }

    private mutating func scan(_ bytes: UnsafeBufferPointer<UInt8>) throws -> [String] {
        let lf = UInt8(ascii: "\n"), cr = UInt8(ascii: "\r")
        var events: [String] = []
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            guard byte == lf || byte == cr else {
                var end = index + 1
                while end < bytes.count && bytes[end] != lf && bytes[end] != cr { end += 1 }
                lastWasCR = false
                pendingBytes += end - index
                guard pendingBytes <= maxEventBytes else { throw TooLarge() }
                line.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[index..<end]))
                index = end
                continue
            }
            index += 1
            if byte == lf && lastWasCR {
                lastWasCR = false  // the LF of a CRLF already ended its line
                continue
            }
            lastWasCR = byte == cr
            if let event = endLine() { events.append(event) }
        }
        return events
    }

    /// Ends the current line; returns an event's data when the line was the blank one ending it.
    private mutating func endLine() -> String? {
        defer { line.removeAll(keepingCapacity: true) }
        if line.isEmpty {
            guard !dataLines.isEmpty else { return nil }
            defer { dataLines.removeAll(); pendingBytes = 0 }
            return dataLines.joined(separator: "\n")
        }
        let text = String(decoding: line, as: UTF8.self)
        let field: Substring, value: Substring
        if let colon = text.firstIndex(of: ":") {
            field = text[..<colon]
            let rest = text[text.index(after: colon)...]
            value = rest.hasPrefix(" ") ? rest.dropFirst() : rest
        } else {
            field = Substring(text)
            value = ""
        }
        if field == "data" { dataLines.append(String(value)) }
        return nil
    }
}
