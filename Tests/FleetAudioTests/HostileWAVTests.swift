import FleetAudio
import FleetTestSupport
import Testing

/// WAV files whose headers lie: sizes are checked against the bytes actually present, and the
/// caller's sample budget is applied before any sample buffer is allocated.
@Suite("WAV: hostile headers")
struct HostileWAVTests {
    static let second16k = [UInt8](repeating: 0, count: 32_000)

    @Test("a data chunk claiming more bytes than the file holds is refused", arguments: [UInt32(32_002), 1_000_000, 0x7FFE_FFFF])
    func dataSizeLie(declared: UInt32) {
        let file = HostileAudio.wav(data: Self.second16k, declaredDataBytes: declared)
        #expect(throws: AudioCodecError.truncated) { try WAV.decode(file) }
    }

    @Test("streamed WAVs (data size 0 or the 'unknown' sentinels) are still read to the end",
          arguments: [UInt32(0), 0xFFFF_FFFF, 0x7FFF_F000, 0x7FFF_FFFF])
    func streamedSentinels(declared: UInt32) throws {
        let file = HostileAudio.wav(data: Self.second16k, declaredDataBytes: declared)
        #expect(try WAV.decode(file).samples.count == 16_000)
    }

    @Test("audio over the caller's budget is refused, counted at 48 kHz after resampling")
    func budget() throws {
        let file = HostileAudio.wav(data: Self.second16k)
        #expect(try WAV.decode(file, maxSamples: 48_000).samples.count == 16_000)
        let error = #expect(throws: AudioCodecError.self) { try WAV.decode(file, maxSamples: 47_999) }
        #expect(error?.code == "audio_too_long")
    }

}
