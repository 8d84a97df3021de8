import FleetContracts
import Foundation
import HTTPTypes
import NIOCore
import ServiceKit
import Testing
@testable import LLMFlanService

@Suite("LLM (flan-t5 stub)")
struct LLMFlanTests {
    /// 14:05:09 UTC on Tuesday, 3 June 2025.
    let now = Date(timeIntervalSince1970: 1_748_959_509)
    let composer = ReplyComposer()

    func user(_ text: String) -> [ChatMessage] { [ChatMessage(role: "user", content: text)] }

    // MARK: Intents and replies

    @Test(arguments: [
        ("Hey Atlas, what time is it?", Intent.time),
        ("what's the date today", .time),
        ("What's the weather like in Paris tomorrow?", .weather),
        ("will it rain", .weather),
        ("tell me a joke", .joke),
        ("Make me laugh!", .joke),
        ("what can you do", .help),
        ("help", .help),
        ("hello there", .greeting),
        ("Hey Atlas", .greeting),
        ("How do black holes form?", .fallback),
        ("this is a hit song", .fallback),  // "hi" inside "this" is not a greeting
    ])
    func intentsAreDetected(text: String, intent: Intent) {
        #expect(Intent.detect(text) == intent)
    }

    @Test("the greetings a channel opens with are greetings to the model, answered in a sentence or two")
    func openingGreetingsGetShortReplies() {
        for text in FleetPhrases.greetings {
            #expect(FleetPhrases.requests.contains(text), "\(text) is not one of the requests")
            let reply = composer.reply(to: user(text), now: now)
            #expect(reply.intent == .greeting, "\(text)")
            #expect(reply.text.count <= 40, "\(reply.text.count) characters: \(reply.text)")
        }
    }

    @Test func repliesAreDeterministic() {
        for text in ["tell me a joke", "hello", "How do black holes form?", "weather in Oslo"] {
            #expect(composer.reply(to: user(text), now: now) == composer.reply(to: user(text), now: now))
        }
    }

    @Test func timeIsTheRealClockInUTC() {
        let reply = composer.reply(to: user("what time is it"), now: now)
        #expect(reply.intent == .time)
        #expect(reply.text == "It's 2:05 PM UTC on Tuesday, June 3, 2025.")
    }

    /// Midnight and noon on the 12-hour clock, a leap day, a Sunday and the last minute of a year:
    /// the answer is spelled out from calendar components, not by DateFormatter.
    @Test(arguments: [
        (1_709_165_220, "It's 12:07 AM UTC on Thursday, February 29, 2024."),
        (946_728_000, "It's 12:00 PM UTC on Saturday, January 1, 2000."),
        (1_798_761_599, "It's 11:59 PM UTC on Thursday, December 31, 2026."),
        (946_200_600, "It's 9:30 AM UTC on Sunday, December 26, 1999."),
    ])
    func timeAnswerOnTheClocksEdges(seconds: Int, expected: String) {
        #expect(ReplyComposer.timeAnswer(now: Date(timeIntervalSince1970: TimeInterval(seconds))) == expected)
    }

    @Test func weatherIsPlausibleAndSaysItIsSimulated() {
        let reply = composer.reply(to: user("What's the weather in new york tomorrow?"), now: now)
        #expect(reply.intent == .weather)
        #expect(reply.text.contains("simulated"))
        #expect(reply.text.contains("tomorrow in New York"))
        #expect(reply.text.contains("degrees Celsius"))
        let otherCity = composer.reply(to: user("What's the weather in Lagos tomorrow?"), now: now)
        let nextDay = composer.reply(to: user("What's the weather in new york tomorrow?"), now: now.addingTimeInterval(86_400))
        #expect(otherCity.text != reply.text || nextDay.text != reply.text)
    }

    @Test func jokesComeFromTheListAndFollowUpsTellAnother() {
        let first = composer.reply(to: user("tell me a joke"), now: now)
        #expect(first.intent == .joke)
        #expect(ReplyComposer.jokes.contains(first.text))
        let followUp = composer.reply(to: [
            ChatMessage(role: "user", content: "tell me a joke"),
            ChatMessage(role: "assistant", content: first.text),
            ChatMessage(role: "user", content: "another one"),
        ], now: now)
        #expect(followUp.intent == .joke)
        #expect(ReplyComposer.jokes.contains(followUp.text))
    }

    @Test func theSystemPromptSetsThePersona() {
        let named = composer.reply(to: [ChatMessage(role: "system", content: "You are Nova, a helpful assistant.")] + user("what can you do"),
                                   now: now)
        #expect(named.text.hasPrefix("I'm Nova"))
        #expect(composer.reply(to: user("what can you do"), now: now).text.hasPrefix("I'm Atlas"))
    }

    @Test func fallbackEchoesTheTopic() {
        let reply = composer.reply(to: user("How do black holes form?"), now: now)
        #expect(reply.intent == .fallback)
        #expect(reply.text.contains("black"))
        #expect(reply.text.contains("holes"))
        #expect(composer.reply(to: user("uh"), now: now).text.contains("say it another way"))
    }

    // MARK: Tokens

    @Test func piecesRebuildTheTextExactly() {
        for text in ["Hello, world!", "it's 'quoted'", "  leading and trailing  ", "internationalization is long", "a\nb\tc", "emoji 🎉 ok", ""] {
            #expect(Tokenizer.pieces(text).joined() == text)
        }
        #expect(Tokenizer.pieces("Hello, world!") == ["Hello", ",", " world", "!"])
        #expect(Tokenizer.pieces("I'm 'here'") == ["I'm", " '", "here", "'"])
        #expect(Tokenizer.pieces("internationalization") == ["intern", "ationa", "lizati", "on"])
    }

    @Test func englishComesOutNearOnePointThreeTokensPerWord() {
        let text = "The quick brown fox jumps over the lazy dog. Scientists believe that understanding "
            + "photosynthesis helps explain how plants convert sunlight into chemical energy, which sustains "
            + "nearly every ecosystem on Earth. Would you like to know more?"
        let words = Double(text.split(separator: " ").count)
        let ratio = Double(Tokenizer.count(text)) / words
        #expect(ratio > 1.1 && ratio < 1.5, "ratio \(ratio)")
    }

    @Test func usageCountsPromptAndCompletion() throws {
        let messages = [ChatMessage(role: "system", content: "You are Atlas."), ChatMessage(role: "user", content: "tell me a joke")]
        let plan = try ChatModel().plan(ChatCompletionRequest(messages: messages), now: now, id: "t")
        #expect(plan.usage.promptTokens == 3 + (4 + Tokenizer.count("You are Atlas.")) + (4 + Tokenizer.count("tell me a joke")))
        #expect(plan.usage.completionTokens == Tokenizer.count(plan.text))
        #expect(plan.usage.totalTokens == plan.usage.promptTokens + plan.usage.completionTokens)
        #expect(plan.finishReason == "stop")
        #expect(plan.intent == .joke)
    }

    @Test func maxTokensCutsTheReplyWithFinishReasonLength() throws {
        let full = try ChatModel().plan(ChatCompletionRequest(messages: user("what can you do")), now: now, id: "t")
        let cut = try ChatModel().plan(ChatCompletionRequest(messages: user("what can you do"), maxTokens: 5), now: now, id: "t")
        #expect(cut.finishReason == "length")
        #expect(cut.usage.completionTokens == 5)
        #expect(full.text.hasPrefix(cut.text))
        #expect(cut.text.count < full.text.count)
    }

    @Test func invalidRequestsAreRejectedWithReasons() {
        let model = ChatModel(contextTokens: 64)
        let cases: [(ChatCompletionRequest, String)] = [
            (ChatCompletionRequest(messages: []), "at least one message"),
            (ChatCompletionRequest(messages: [ChatMessage(role: "robot", content: "hi")]), "messages[0].role 'robot'"),
            (ChatCompletionRequest(messages: [ChatMessage(role: "system", content: "hi")]), "no message with role 'user'"),
            (ChatCompletionRequest(messages: user("hi"), maxTokens: 0), "max_tokens"),
            (ChatCompletionRequest(messages: user("hi"), temperature: 3), "temperature"),
            (ChatCompletionRequest(messages: user(String(repeating: "word ", count: 100))), "maximum context length is 64"),
        ]
        for (request, message) in cases {
            let error = #expect(throws: FleetError.self) { try model.plan(request, now: now, id: "t") }
            #expect(error?.status == .badRequest)
            #expect(error?.message.contains(message) == true, "\(error?.message ?? "")")
        }
        let unknownModel = #expect(throws: FleetError.self) {
            try model.plan(ChatCompletionRequest(model: "gpt-4", messages: user("hi")), now: now, id: "t")
        }
        #expect(unknownModel?.status == .notFound)
    }

    // MARK: Pacing

    @Test func thePacerReleasesEveryPieceInOrderWithOneFirstToken() async throws {
        let pacer = TokenPacer(firstToken: LatencySource(model: LatencyModel(median: 0.02, p99: 0.05), seed: 1, stream: "a", scale: 0.1),
                               tokenGap: LatencySource(model: LatencyModel(median: 0.001, p99: 0.002), seed: 1, stream: "b", scale: 0.1))
        let pieces = Tokenizer.pieces("One two three four five six seven.")
        var received: [String] = []
        var firsts = 0
        let timing = try await pacer.run(pieces, promptTokens: 10) { group, isFirst in
            received += group
            if isFirst { firsts += 1 }
        }
        #expect(received == pieces)
        #expect(firsts == 1)
        #expect(timing.timeToFirstToken > 0)
        #expect(timing.duration >= timing.timeToFirstToken)
    }

    // MARK: Server-sent events

    @Test func theEventParserHandlesSplitsCRLFAndMultilineData() throws {
        var parser = ServerSentEventParser()
        let stream = ": comment\r\ndata: {\"a\":1}\r\n\r\nevent: x\ndata: line one\ndata: line two\n\ndata: [DONE]\n\n"
        var events: [String] = []
        for byte in stream.utf8 { events += try parser.feed([byte]) }  // one byte at a time
        #expect(events == ["{\"a\":1}", "line one\nline two", "[DONE]"])
    }

    @Test func theEventParserGivesTheSameEventsForAnySplitOfTheStream() throws {
        let stream = Array("data: one\r\rdata: two\r\n\r\n: skip\ndata:three\n\ndata: x\ndata: y\r\n\n".utf8)
        let expected = ["one", "two", "three", "x\ny"]
        var whole = ServerSentEventParser()
        #expect(try whole.feed(ByteBuffer(bytes: stream).readableBytesView) == expected)
        for cut in 1..<stream.count {  // every place a network read could split it, CRLFs included
            var parser = ServerSentEventParser()
            let events = try parser.feed(stream[..<cut]) + parser.feed(AnySequence(stream[cut...]))
            #expect(events == expected, "split at byte \(cut)")
        }
    }

    @Test func theEventParserRefusesAnEventOverItsLimit() throws {
        var parser = ServerSentEventParser(maxEventBytes: 16)
        #expect(try parser.feed(Array("data: short\n\n".utf8)) == ["short"])
        #expect(throws: ServerSentEventParser.TooLarge.self) {
            try parser.feed(Array("data: 0123456789abcdef\n".utf8))
        }
    }
}
