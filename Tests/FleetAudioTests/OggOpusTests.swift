import FleetAudio
import FleetSpeech
import Foundation
import Testing

@Suite("Ogg Opus container")
struct OggOpusTests {
    static let transcript = "Réglez la minuterie = 5 min, s'il vous plaît — ok? 👍"
    static let pcm = TestSignals.speech("Set a timer for five minutes, please.")
    static let comments = [
        OpusComment.referenceTranscript: transcript,
        OpusComment.speaker: "alice",
        OpusComment.voice: Voice.default.id,
        "title": "lower-case key",
    ]

    static func encoded() throws -> [UInt8] {
        try OggOpus.encode(pcm, comments: comments)
    }

    @Test("round trip keeps the exact sample count and every comment")
    func roundTrip() throws {
        let decoded = try OggOpus.decode(try Self.encoded())
        #expect(decoded.samples.count == Self.pcm.count)
        #expect(decoded.comments[OpusComment.referenceTranscript] == Self.transcript)
        #expect(decoded.comments[OpusComment.speaker] == "alice")
        #expect(decoded.comments[OpusComment.voice] == "v2/en_speaker_0")
        #expect(decoded.comments[OpusComment.title] == "lower-case key")  // keys come back upper-cased
        #expect(abs(decoded.duration - Double(Self.pcm.count) / 48_000) < 1e-9)
        #expect(decoded.packetCount == (Self.pcm.count + 312 + 959) / 960)
    }

    @Test("the example in the OggOpus documentation works as written")
    func documentationExample() throws {
        let text = "Turn the lights off, please."
        let pcm = SpeechSynthesizer(voice: .default).synthesize(text)
        let file = try OggOpus.encode(pcm, comments: [
            OpusComment.referenceTranscript: text,
            OpusComment.voice: Voice.default.id,
        ])
        let audio = try OggOpus.decode(file)
        #expect(audio.samples.count == pcm.count)
        #expect(audio.comments[OpusComment.referenceTranscript] == text)
        #expect(audio.packetCount > 0 && audio.duration > 1)
    }

    @Test("comment keys are made valid Vorbis field names")
    func commentKeys() throws {
        let bytes = try OggOpus.encode([], comments: ["we=ird key ✓": "a=b"])
        #expect(try OggOpus.decode(bytes).comments == ["WEIRD KEY ": "a=b"])
    }

    @Test("exact length for every remainder modulo a frame, including empty input", arguments: [0, 1, 647, 648, 959, 960, 961, 48_000])
    func exactLength(count: Int) throws {
        let pcm = Array(Self.pcm.prefix(count)) + [Float](repeating: 0.1, count: max(0, count - Self.pcm.count))
        let decoded = try OggOpus.decode(try OggOpus.encode(pcm))
        #expect(decoded.samples.count == count)
    }

    @Test("the stream layout follows RFC 7845")
    func layout() throws {
        let bytes = try Self.encoded()
        #expect(AudioSniffer.isOggOpus(bytes))
        #expect(!AudioSniffer.isWAV(bytes))
        let stream = try OggOpusReader.parse(bytes)
        #expect(stream.head.version == 1)
        #expect(stream.head.channelCount == 1)
        #expect(stream.head.inputSampleRate == 48_000)
        #expect(stream.head.mappingFamily == 0)
        #expect(stream.head.preSkip == 312)
        #expect(stream.vendor == "AudioFleet")
        #expect(stream.granulePosition == Int64(312 + Self.pcm.count))
        #expect(try OggOpusStream.parse(bytes) == stream)
        // The first page holds only the 19-byte OpusHead, flagged beginning-of-stream.
        #expect(bytes[5] == 0x02)
        #expect(bytes[26] == 1 && bytes[27] == 19)
        // The same input always produces the same bytes (serial derived from the content).
        #expect(try Self.encoded() == bytes)
    }

    @Test("the streaming writer emits headers first and pages at least once a second")
    func streamingWriter() throws {
        let encoder = try OpusEncoder(settings: .voice)
        var writer = OggOpusWriter(serial: 7, preSkip: encoder.lookahead, comments: [OpusComment.title: "live"])
        var chunks: [[UInt8]] = []
        let silence = [Float](repeating: 0, count: 960)
        for _ in 0..<150 {  // 3 s
            chunks.append(writer.append(packet: try encoder.encode(silence)))
        }
        chunks.append(writer.finish())
        #expect(AudioSniffer.isOggOpus(chunks[0]))  // headers come with the first packet
        let audioChunks = chunks.dropFirst().filter { !$0.isEmpty }
        #expect(audioChunks.count >= 3)
        #expect(writer.finish().isEmpty)
        #expect(writer.append(packet: [0xF8]).isEmpty)  // ignored after finish

        let stream = try OggOpusReader.parse(chunks.flatMap { $0 })
        #expect(stream.packets.count == 150)
        #expect(stream.granulePosition == 150 * 960)
        #expect(stream.comments["TITLE"] == "live")
    }

    @Test("a stream without audio is still valid")
    func emptyStream() throws {
        var writer = OggOpusWriter(serial: 1, preSkip: 312)
        let bytes = writer.finish()
        let stream = try OggOpusReader.parse(bytes)
        #expect(stream.packets.isEmpty)
        #expect(try OggOpus.decode(bytes).samples.isEmpty)
    }

    @Test("huge comments span several pages")
    func largeComments() throws {
        let long = String(repeating: "the quick brown fox = jumps; ", count: 5_000)  // ~145 kB
        let bytes = try OggOpus.encode(Array(Self.pcm.prefix(4_800)), comments: [OpusComment.referenceTranscript: long])
        #expect(try OggOpus.decode(bytes).comments[OpusComment.referenceTranscript] == long)
    }

    @Test("opusinfo accepts the file", .enabled(if: ExternalTool.isInstalled("/usr/bin/opusinfo")))
    func opusinfoAcceptsFile() throws {
        let file = ExternalTool.temporaryFile(".opus")
        defer { try? FileManager.default.removeItem(at: file) }
        try Data(try Self.encoded()).write(to: file)
        let (status, output) = try ExternalTool.run("/usr/bin/opusinfo", [file.path])
        #expect(status == 0, "\(output)")
        #expect(!output.localizedCaseInsensitiveContains("warning"), "\(output)")
        #expect(!output.localizedCaseInsensitiveContains("error"), "\(output)")
        #expect(output.contains("Pre-skip: 312"), "\(output)")
        #expect(output.contains("REFERENCE_TRANSCRIPT=\(Self.transcript)"), "\(output)")
    }

    @Test("ffprobe reports the duration within 30 ms", .enabled(if: ExternalTool.isInstalled("/usr/bin/ffprobe")))
    func ffprobeDuration() throws {
        let file = ExternalTool.temporaryFile(".opus")
        defer { try? FileManager.default.removeItem(at: file) }
        try Data(try Self.encoded()).write(to: file)
        let (status, output) = try ExternalTool.run(
            "/usr/bin/ffprobe",
            ["-v", "error", "-show_entries", "format=duration", "-of", "default=noprint_wrappers=1:nokey=1", file.path]
        )
        #expect(status == 0, "\(output)")
        let duration = try #require(Double(output.trimmingCharacters(in: .whitespacesAndNewlines)))
        let expected = Double(Self.pcm.count) / 48_000
        #expect(abs(duration - expected) <= 0.03, "ffprobe \(duration) s, expected \(expected) s")
    }

    @Test("opusdec trims to the exact sample count", .enabled(if: ExternalTool.isInstalled("/usr/bin/opusdec")))
    func opusdecLength() throws {
        let input = ExternalTool.temporaryFile(".opus"), output = ExternalTool.temporaryFile(".wav")
        defer {
            try? FileManager.default.removeItem(at: input)
            try? FileManager.default.removeItem(at: output)
        }
        try Data(try Self.encoded()).write(to: input)
        let (status, log) = try ExternalTool.run("/usr/bin/opusdec", ["--quiet", "--rate", "48000", input.path, output.path])
        #expect(status == 0, "\(log)")
        let wav = try WAV.decode([UInt8](try Data(contentsOf: output)))
        #expect(wav.sampleRate == 48_000)
        #expect(wav.samples.count == Self.pcm.count)
    }

    enum Garbage: String, CaseIterable {
        case empty, oneByte, captureOnly, wavHeader, noise, zeroPage

        var bytes: [UInt8] {
            switch self {
            case .empty: []
            case .oneByte: [0x00]
            case .captureOnly: Array("OggS".utf8)
            case .wavHeader: Array("RIFF....WAVE".utf8)
            case .noise: (0..<4_096).map { UInt8(truncatingIfNeeded: $0 &* 2_654_435_761 >> 13) }
            case .zeroPage: Array("OggS".utf8) + Array(repeating: 0, count: 200)
            }
        }
    }

    @Test("garbage bytes give a typed error", arguments: Garbage.allCases)
    func garbage(_ input: Garbage) {
        let error = #expect(throws: AudioCodecError.self) { try OggOpus.decode(input.bytes) }
        #expect(["not_ogg_opus", "truncated"].contains(error?.code ?? ""))
    }

    @Test("every truncation of a valid file gives a typed error, never a crash")
    func truncation() throws {
        let bytes = try Self.encoded()
        var codes: Set<String> = []
        for length in stride(from: 0, to: bytes.count, by: 53) {
            let error = #expect(throws: AudioCodecError.self) { try OggOpus.decode(Array(bytes.prefix(length))) }
            codes.insert(error?.code ?? "none")
        }
        #expect(codes == ["not_ogg_opus", "truncated"])
        #expect(throws: AudioCodecError.truncated) { try OggOpus.decode(Array(bytes.dropLast(10))) }
    }

    @Test("a flipped byte fails the page checksum")
    func corruptPage() throws {
        var bytes = try Self.encoded()
        bytes[bytes.count / 2] ^= 0x40
        let error = #expect(throws: AudioCodecError.self) { try OggOpus.decode(bytes) }
        #expect(error?.code == "not_ogg_opus")
    }

    @Test("a corrupt Opus packet inside a valid container is reported as such")
    func corruptPacketInContainer() throws {
        var writer = OggOpusWriter(serial: 3, preSkip: 312)
        let packet = try OpusEncoder().encode([Float](repeating: 0, count: 960))
        var bytes = writer.append(packet: packet)
        bytes += writer.append(packet: [0xFF, 0xFF, 0xFF, 0xFF])
        bytes += writer.finish()
        #expect(throws: AudioCodecError.corruptPacket) { try OggOpus.decode(bytes) }
    }

    @Test("multichannel mapping families are refused")
    func unsupportedChannels() throws {
        var bytes = try Self.encoded()
        // Rewrite OpusHead's channel count (byte 9 of the packet at offset 28) and refresh the CRC.
        bytes[28 + 9] = 6
        bytes[28 + 18] = 1
        OggCRC.refresh(&bytes, pageStart: 0, pageLength: 28 + 19)
        #expect(throws: AudioCodecError.unsupportedChannelCount(6)) { try OggOpus.decode(bytes) }
    }
}

/// Recomputes an Ogg page checksum after a test edits a header in place.
enum OggCRC {
    static func refresh(_ bytes: inout [UInt8], pageStart: Int, pageLength: Int) {
        for index in 22..<26 { bytes[pageStart + index] = 0 }
        var crc: UInt32 = 0
        for byte in bytes[pageStart..<(pageStart + pageLength)] {
            crc ^= UInt32(byte) << 24
            for _ in 0..<8 { crc = crc & 0x8000_0000 != 0 ? (crc << 1) ^ 0x04C1_1DB7 : crc << 1 }
        }
        for index in 0..<4 { bytes[pageStart + 22 + index] = UInt8(truncatingIfNeeded: crc >> (8 * index)) }
    }
}
