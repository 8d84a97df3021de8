import FleetAudio
import FleetSpeech
import Foundation
import ServiceKit
import Testing
@testable import DiscordService

/// Carries `frames` through a fresh link and returns the segments it closed.
private func segments(of frames: [[Float]], lossPercent: Double = 0) throws -> (segments: [Segment], link: VoiceLink) {
    let link = try VoiceLink(segmenter: Segmenter(), lossPercent: lossPercent, lossSeed: SeededGenerator(seed: 7, stream: "loss"))
    var closed: [Segment] = []
    for frame in frames { closed += try link.carry(frame) }
    return (closed, link)
}

@Suite("Discord voice bridge")
struct DiscordTests {
    // MARK: Wake phrase

    @Test("partial_ratio gives RapidFuzz's values on known pairs")
    func partialRatioKnownValues() {
        // Reference values computed with rapidfuzz 3.14 `fuzz.partial_ratio`.
        #expect(WakePhraseMatcher.partialRatio("hey atlas", "hey atlas what time is it") == 100)
        #expect(abs(WakePhraseMatcher.partialRatio("hey atlas", "hey alice what time is it") - 80) < 0.001)
        #expect(abs(WakePhraseMatcher.partialRatio("hey atlas", "hey alice") - 80) < 0.001)
        #expect(abs(WakePhraseMatcher.partialRatio("atlas", "at last we made it") - 80) < 0.001)
        #expect(abs(WakePhraseMatcher.partialRatio("hey assistant", "hey assistance") - 96) < 0.001)
        #expect(abs(WakePhraseMatcher.partialRatio("hey atlas", "hay atlas what") - 88.888_888) < 0.001)
        #expect(WakePhraseMatcher.partialRatio("atlas", "Hey, ATLAS!") == 100)
        #expect(abs(WakePhraseMatcher.ratio(Array("hey atlas"), Array("hey alice")) - 66.666_666) < 0.001)
    }

    @Test("the wake phrase is found at 90 or more, and only at the start")
    func wakeThreshold() {
        let matcher = WakePhraseMatcher()
        #expect(matcher.match("Hey Atlas, what time is it?")?.phrase == "hey atlas")
        #expect(matcher.match("hey alice what time is it") == nil)
        #expect(matcher.match("Did anyone see the game last night?") == nil)
        #expect(matcher.match("I left my atlas at home yesterday") == nil)
        #expect(matcher.match("um, hey Atlas, good morning")?.remainder == "good morning")
        // A misheard "hey" still wakes through the bare "atlas" phrase.
        #expect(matcher.match("hay atlas what's up")?.phrase == "atlas")
        #expect(WakePhraseMatcher(threshold: 100).match("hey atlus tell me") == nil)
        #expect(WakePhraseMatcher(threshold: 80).match("hey alice tell me") != nil)
    }

    @Test("stripping leaves what was asked, punctuation intact",
          arguments: [
              ("Hey Atlas, what time is it?", "what time is it?"),
              ("Ok assistant tell me a joke.", "tell me a joke."),
              ("OK ATLAS. What's the weather like today?", "What's the weather like today?"),
              ("Atlas, can you help me plan my afternoon?", "can you help me plan my afternoon?"),
              ("Hey Atlas", ""),
          ])
    func wakeStripping(transcript: String, expected: String) throws {
        let match = try #require(WakePhraseMatcher().match(transcript))
        #expect(match.remainder == expected)
    }

    // MARK: Corpus

    @Test("the corpus has requests, chatter, injections and personal data, each as the matcher sees it")
    func corpusKinds() {
        let matcher = WakePhraseMatcher()
        #expect(PhraseCorpus.all.count >= 35)
        for kind in Phrase.Kind.allCases {
            #expect(PhraseCorpus.all.contains { $0.kind == kind }, "no \(kind) phrases")
        }
        for phrase in PhraseCorpus.all {
            let wakes = matcher.match(phrase.text) != nil
            #expect(wakes == (phrase.kind != .chatter), "\(phrase.text)")
        }
        let injectionMarkers = ["ignore previous", "system:", "jailbreak", "pretend to be"]
        for phrase in PhraseCorpus.all where phrase.kind == .injection {
            #expect(injectionMarkers.contains { phrase.text.lowercased().contains($0) }, "\(phrase.text)")
        }
        #expect(PhraseCorpus.all.contains { $0.kind == .pii && $0.text.contains("jane.doe@example.com") })
    }

    @Test("speakers pick phrases deterministically from their seed")
    func corpusDeterminism() {
        var first = SeededGenerator(seed: 42, stream: "discord/speaker/Ava")
        var second = SeededGenerator(seed: 42, stream: "discord/speaker/Ava")
        let a = (0..<10).map { _ in PhraseCorpus.pick(using: &first).text }
        let b = (0..<10).map { _ in PhraseCorpus.pick(using: &second).text }
        #expect(a == b)
        #expect(Set(a).count > 1)
    }

    // MARK: Segmentation over Opus

    @Test("a phrase streamed as 20 ms Opus frames gives exactly one segment")
    func onePhraseOneSegment() throws {
        let speech = SpeechSynthesizer(voice: .default).synthesize("Hey Atlas, what time is it?")
        let frames = SimulatedSpeaker.burst(speech, silenceTimeout: 0.75)
        let (closed, link) = try segments(of: frames)
        #expect(closed.count == 1)
        let segment = try #require(closed.first)
        #expect(segment.closedBy == .silence)
        let spoken = Double(speech.count) / Double(AudioFormat.sampleRate)
        #expect(abs(segment.duration - spoken) < 0.6, "segment \(segment.duration) s vs speech \(spoken) s")
        #expect(link.statistics.packetsSent == frames.count)
        #expect(link.statistics.packetsLost == 0)
    }

    @Test("two phrases give two segments, the second closed by its own silence")
    func twoPhrasesTwoSegments() throws {
        let synthesizer = SpeechSynthesizer(voice: Voice.named("v2/en_speaker_4")!)
        let frames = SimulatedSpeaker.burst(synthesizer.synthesize("Ok Atlas, tell me a joke."), silenceTimeout: 0.75)
            + SimulatedSpeaker.burst(synthesizer.synthesize("Who is bringing the snacks on Friday?"), silenceTimeout: 0.75)
        let (closed, _) = try segments(of: frames)
        #expect(closed.count == 2)
        if closed.count == 2 { #expect(closed[1].startTime >= closed[0].endTime) }
    }

    @Test("lost packets are concealed or rebuilt from FEC, and the phrase still makes one segment")
    func packetLossConcealment() throws {
        let speech = SpeechSynthesizer(voice: .default).synthesize("Hey Atlas, what should I cook for dinner tonight?")
        let (closed, link) = try segments(of: SimulatedSpeaker.burst(speech, silenceTimeout: 0.75), lossPercent: 10)
        #expect(closed.count == 1)
        let stats = link.statistics
        #expect(stats.packetsLost > 0)
        // Every loss followed by a packet is filled in; only trailing losses can still be pending.
        #expect(stats.framesRecovered + stats.framesConcealed <= stats.packetsLost)
        #expect(stats.framesRecovered + stats.framesConcealed >= stats.packetsLost - 2)
        #expect(stats.framesRecovered > 0)
    }

    // MARK: Playback pacing

    @Test("playback sends whole 20 ms frames on schedule")
    func pacedPlayback() async throws {
        let clock = VirtualClock()
        clock.advance(by: .seconds(5))
        let sink = RecordingSink()
        let samples = [Float](repeating: 0.1, count: 960 * 10 + 100)
        let report = try await FramePlayer(clock: clock).play(samples, into: sink)
        #expect(report.frames == 11)
        #expect(await sink.frames.count == 11)
        #expect(await sink.frames.allSatisfy { $0.count == 960 })
        #expect(report.firstFrameAt == .seconds(5))
        #expect(report.underruns == 0)
        #expect(report.maxJitter == 0)
        // The schedule is absolute: ten frames after the first, the clock reads first + 200 ms.
        #expect(clock.now == .seconds(5) + .milliseconds(200))
    }

    @Test("a sink slower than real time shows up as jitter and underruns")
    func playbackUnderruns() async throws {
        let clock = VirtualClock()
        let sink = RecordingSink(clock: clock, stall: .milliseconds(50))
        let report = try await FramePlayer(clock: clock).play([Float](repeating: 0.1, count: 960 * 5), into: sink)
        #expect(report.frames == 5)
        #expect(report.underruns >= 3)
        #expect(report.maxJitter >= 0.05)
    }

    // MARK: The floor and the turn log

    @Test("the floor goes first to people who were asked to speak, then first come first served")
    func floorOrder() async throws {
        let lock = FIFOLock()
        #expect(await lock.acquire())
        let order = OrderRecorder()
        // Waits until `count` tasks queue, so the order they queued in is certain.
        func queued(_ count: Int) async { while await lock.queueLength < count { await Task.yield() } }
        let first = Task { if await lock.acquire() { await order.add("ordinary 1"); await lock.release() } }
        await queued(1)
        let second = Task { if await lock.acquire() { await order.add("ordinary 2"); await lock.release() } }
        await queued(2)
        let urgent = Task { if await lock.acquire(urgent: true) { await order.add("urgent"); await lock.release() } }
        await queued(3)
        let cancelled = Task { await lock.acquire() }
        await queued(4)
        cancelled.cancel()
        #expect(await cancelled.value == false)
        await lock.release()
        _ = await (first.value, second.value, urgent.value)
        #expect(await order.items == ["urgent", "ordinary 1", "ordinary 2"])
    }

    @Test("the turn log keeps the newest turns and counts every outcome")
    func turnLogRing() async {
        let log = TurnLog(capacity: 3)
        for index in 1...5 {
            var record = TurnRecord(id: await log.reserveID(), speaker: "Ava", sessionId: "s", turnNumber: index, phrase: "p")
            record.outcome = index.isMultiple(of: 2) ? .replied : .noWakePhrase
            record.latencies.endToEnd = index.isMultiple(of: 2) ? Double(index) : nil
            await log.store(record)
        }
        #expect(await log.recent(limit: 10).map(\.id) == [5, 4, 3])
        #expect(await log.record(id: 1) == nil)
        #expect(await log.finishedCount == 5)
        #expect(await log.outcomes[.replied] == 2)
        #expect(await log.medianEndToEnd == 3)
    }

    @Test("a finished turn's audio is stored at its size, not at the capacity it was built with")
    func turnLogCompactsAudio() async throws {
        let log = TurnLog(capacity: 3)
        var record = TurnRecord(id: await log.reserveID(), speaker: "Ava", sessionId: "s", turnNumber: 1, phrase: "p")
        record.inputAudio.reserveCapacity(64_000)
        record.inputAudio += (0..<1_000).map { UInt8($0 % 256) }
        var reply: [UInt8] = []
        reply.reserveCapacity(64_000)
        reply += [1, 2, 3]
        record.replyAudio = reply
        await log.store(record)  // in flight: kept as it is
        #expect(try #require(await log.record(id: 1)).inputAudio.capacity >= 64_000)
        record.outcome = .replied
        await log.store(record)
        let stored = try #require(await log.record(id: 1))
        #expect(stored.inputAudio == record.inputAudio && stored.replyAudio == [1, 2, 3])
        #expect(stored.inputAudio.capacity < 2_000, "capacity \(stored.inputAudio.capacity)")
        #expect(try #require(stored.replyAudio).capacity < 100)
    }
}

private actor OrderRecorder {
    private(set) var items: [String] = []
    func add(_ item: String) { items.append(item) }
}
