import FleetAudio
import FleetTestSupport
import Testing

/// Ogg Opus files that lie about their length: the decoder must produce no more audio than the
/// stream's timeline holds, and refuse timelines that make no sense.
@Suite("Ogg Opus: hostile streams")
struct HostileOggTests {
    @Test("the Ogg bomb decodes to its granule's length, concealing no more than the timeline's gap")
    func bombIsBoundedByTheGranule() throws {
        let bomb = HostileAudio.oggBomb()
        #expect(bomb.count < 25_000)
        let audio = try OggOpus.decode(bomb)
        #expect(audio.samples.count == 48_000)
        // 120 ms came from the one real packet; at most the rest of the claimed second is invented.
        #expect(audio.concealedSamples <= 48_000 - 5_760 + HostileAudio.preSkip)
        #expect(audio.decodedSamples <= 48_000 + HostileAudio.preSkip + 5_760)
    }

    @Test("a bomb over the caller's sample budget is refused before it is decoded")
    func bombOverBudget() throws {
        let bomb = HostileAudio.oggBomb(claimedSamples: 48_000 * 700)
        let error = #expect(throws: AudioCodecError.self) { try OggOpus.decode(bomb, maxSamples: 48_000 * 600) }
        #expect(error?.code == "audio_too_long")
        // Within the budget, the same file decodes to exactly what its timeline claims.
        let small = HostileAudio.oggBomb(emptyPackets: 100, claimedSamples: 96_000)
        #expect(try OggOpus.decode(small, maxSamples: 96_000).samples.count == 96_000)
        #expect(throws: AudioCodecError.self) { try OggOpus.decode(small, maxSamples: 95_999) }
    }

    @Test("a stream without a granule position on its last page is refused, not decoded without limit")
    func missingGranule() {
        let bomb = HostileAudio.ogg(packets: [HostileAudio.longestPacket] + Array(repeating: [], count: 2_000), granule: -1)
        let error = #expect(throws: AudioCodecError.self) { try OggOpus.decode(bomb) }
        #expect(error?.code == "not_ogg_opus")
    }

    @Test("a page claiming a negative length is refused", arguments: [Int64(-2), -48_000, 0, 311, Int64.min])
    func negativeLength(granule: Int64) {
        // Granule below the pre-skip (312): the stream would end before it starts.
        let file = HostileAudio.ogg(packets: [HostileAudio.longestPacket], granule: granule)
        let error = #expect(throws: AudioCodecError.self) { try OggOpus.decode(file) }
        #expect(error?.code == "not_ogg_opus")
    }

    @Test("granule positions that go backwards are refused")
    func backwardsGranule() {
        // A first audio page at 2 s, then the final page back at 120 ms.
        var bytes = Self.headerPages()
        bytes += HostileAudio.page([HostileAudio.longestPacket], granule: 96_312, sequence: 2, flags: 0)
        bytes += HostileAudio.page([HostileAudio.longestPacket], granule: 6_072, sequence: 3, flags: 0x04)
        let error = #expect(throws: AudioCodecError.self) { try OggOpus.decode(bytes) }
        #expect(error?.code == "not_ogg_opus")
    }

    @Test("an honest stream's timeline is kept: real packets are all decoded, nothing is concealed")
    func honestStream() throws {
        let pcm = TestSignals.speech("Nothing to hide.")
        let audio = try OggOpus.decode(try OggOpus.encode(pcm), maxSamples: pcm.count)
        #expect(audio.samples.count == pcm.count)
        #expect(audio.concealedSamples == 0)
    }

    /// The OpusHead and OpusTags pages of ``HostileAudio/ogg(packets:granule:preSkip:)``, with
    /// the tags page not marked end-of-stream.
    static func headerPages() -> [UInt8] {
        let file = HostileAudio.ogg(packets: [[0]], granule: 0)
        // Two header pages: 27 + 1 + 19 and 27 + 1 + 20 bytes.
        return Array(file.prefix(47 + 48))
    }
}
