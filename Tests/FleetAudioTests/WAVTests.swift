import FleetAudio
import Foundation
import Testing

@Suite("WAV, resampling and sniffing")
struct WAVTests {
    @Test("16-bit round trip is exact to one quantization step")
    func roundTrip() throws {
        let pcm = TestSignals.speech("Testing one two three.")
        let bytes = WAV.encode(pcm, sampleRate: 48_000)
        #expect(bytes.count == 44 + pcm.count * 2)
        #expect(AudioSniffer.isWAV(bytes))
        #expect(!AudioSniffer.isOggOpus(bytes))
        let (decoded, rate) = try WAV.decode(bytes)
        #expect(rate == 48_000)
        #expect(decoded.count == pcm.count)
        let worst = zip(pcm, decoded).map { abs($0 - $1) }.max() ?? 1
        #expect(worst <= 0.5 / 32_768 + 1e-9)
    }

    @Test("out-of-range and non-finite samples are clamped, not wrapped")
    func clamping() throws {
        let (decoded, _) = try WAV.decode(WAV.encode([2, -2, .nan, .infinity], sampleRate: 8_000))
        #expect(decoded[0] > 0.999 && decoded[1] < -0.999)
        #expect(decoded[2] == 0)
        #expect(decoded[3] == 0)
    }

    @Test("stereo float32 files are mixed down to mono")
    func stereoFloat() throws {
        let frames: [(Float, Float)] = [(0.5, 0.25), (-1, 1), (0.2, 0.2)]
        var body: [UInt8] = []
        for (left, right) in frames {
            body += withUnsafeBytes(of: left.bitPattern.littleEndian, Array.init)
            body += withUnsafeBytes(of: right.bitPattern.littleEndian, Array.init)
        }
        let bytes = Self.wavFile(format: 3, channels: 2, rate: 16_000, bits: 32, data: body, extraChunk: true)
        let (decoded, rate) = try WAV.decode(bytes)
        #expect(rate == 16_000)
        #expect(decoded == [0.375, 0, 0.2])
    }

    @Test("a data chunk claiming more than the file holds is read up to the last whole frame")
    func streamedHeader() throws {
        var bytes = WAV.encode([0.1, 0.2, 0.3], sampleRate: 48_000)
        bytes.replaceSubrange(40..<44, with: [0xFF, 0xFF, 0xFF, 0xFF])
        bytes.append(0x01)  // half a sample
        #expect(try WAV.decode(bytes).samples.count == 3)
    }

    @Test("non-WAV input gives a typed error", arguments: [
        [UInt8](), Array("RIFF".utf8), Array("RIFF\u{0}\u{0}\u{0}\u{0}WAVE".utf8), Array("OggS and more bytes".utf8),
    ])
    func invalid(bytes: [UInt8]) {
        let error = #expect(throws: AudioCodecError.self) { try WAV.decode(bytes) }
        #expect(error?.code == "invalid_wav")
    }

    @Test("unsupported sample formats and channel counts are refused")
    func unsupported() {
        let adpcm = Self.wavFile(format: 2, channels: 1, rate: 8_000, bits: 4, data: [0, 0])
        #expect(#expect(throws: AudioCodecError.self) { try WAV.decode(adpcm) }?.code == "invalid_wav")
        let many = Self.wavFile(format: 1, channels: 12, rate: 8_000, bits: 16, data: [])
        #expect(throws: AudioCodecError.unsupportedChannelCount(12)) { try WAV.decode(many) }
    }

    @Test("16 kHz to 48 kHz keeps duration and frequency")
    func upsample() {
        let input = TestSignals.sine(hertz: 1_000, seconds: 1, sampleRate: 16_000)
        let output = Resampler.resample(input, from: 16_000, to: 48_000)
        #expect(output.count == 48_000)
        let ideal = TestSignals.sine(hertz: 1_000, seconds: 1)
        // Away from the edges (where the filter sees zeros) the result is the ideal 48 kHz sine.
        let snr = TestSignals.snrDB(reference: ideal[2_000..<46_000], test: output[2_000..<46_000])
        #expect(snr > 50)
    }

    @Test("downsampling removes what the new rate cannot carry")
    func downsample() {
        let tone = TestSignals.sine(hertz: 10_000, seconds: 0.5)  // above 8 kHz Nyquist
        let output = Resampler.resample(tone, from: 48_000, to: 16_000)
        #expect(output.count == 8_000)
        #expect(LevelStats.measure(Array(output[500..<7_500])).rmsDbfs < -60)
        let speech = TestSignals.speech("Short check.")
        let restored = Resampler.resample(Resampler.resample(speech, from: 48_000, to: 44_100), from: 44_100, to: 48_000)
        #expect(abs(restored.count - speech.count) <= 1)
    }

    @Test("same rate or invalid rates return the input")
    func identity() {
        let input: [Float] = [0.1, 0.2]
        #expect(Resampler.resample(input, from: 48_000, to: 48_000) == input)
        #expect(Resampler.resample(input, from: 0, to: 48_000) == input)
    }

    static func wavFile(format: UInt16, channels: UInt16, rate: UInt32, bits: UInt16, data: [UInt8], extraChunk: Bool = false) -> [UInt8] {
        func le<T: FixedWidthInteger>(_ value: T) -> [UInt8] { withUnsafeBytes(of: value.littleEndian, Array.init) }
        let blockAlign = channels * bits / 8
        var fmt = le(format) + le(channels) + le(rate) + le(rate * UInt32(blockAlign)) + le(blockAlign) + le(bits)
        fmt = Array("fmt ".utf8) + le(UInt32(fmt.count)) + fmt
        // An odd-sized chunk before the data checks the word-alignment padding.
        let list = extraChunk ? Array("LIST".utf8) + le(UInt32(3)) + [1, 2, 3, 0] : []
        let chunks = fmt + list + Array("data".utf8) + le(UInt32(data.count)) + data
        return Array("RIFF".utf8) + le(UInt32(4 + chunks.count)) + Array("WAVE".utf8) + chunks
    }
}
