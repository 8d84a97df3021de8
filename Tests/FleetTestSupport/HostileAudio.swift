/// Hand-made audio files that lie about themselves, for the tests that prove the readers do not
/// believe them.
///
/// They are built byte by byte rather than with ``OggOpusWriter`` because the writer only ever
/// produces honest streams: these need granule positions, packet layouts and chunk sizes that no
/// well-behaved encoder writes.
public enum HostileAudio {
    /// One CELT fullband packet of six 20 ms frames that are all zero bytes: 120 ms of audio from
    /// two bytes, the most output an Opus packet can ask for.
    public static let longestPacket: [UInt8] = [0xFB, 0x06]
    /// The pre-skip libopus's encoder uses at 48 kHz.
    public static let preSkip = 312

    /// The Ogg bomb of the reliability issue: ``longestPacket`` then `emptyPackets` zero-length
    /// packets, all on pages whose granule position claims `claimedSamples` of audio. Each empty
    /// packet used to be concealed as another 120 ms: 20,000 of them made 22 KB cost about 650 MB.
    public static func oggBomb(emptyPackets: Int = 20_000, claimedSamples: Int64 = 48_000) -> [UInt8] {
        ogg(packets: [longestPacket] + Array(repeating: [], count: emptyPackets),
            granule: Int64(preSkip) + claimedSamples)
    }

    /// An Ogg Opus stream of `packets` after the two header pages, 255 packets to a page, every
    /// audio page carrying `granule` (the last one flagged end-of-stream).
    public static func ogg(packets: [[UInt8]], granule: Int64, preSkip: Int = preSkip) -> [UInt8] {
        var head: [UInt8] = Array("OpusHead".utf8) + [1, 1]
        head += littleEndian(UInt16(preSkip)) + littleEndian(UInt32(48_000)) + [0, 0, 0]
        let tags: [UInt8] = Array("OpusTags".utf8) + littleEndian(UInt32(4)) + Array("test".utf8) + littleEndian(UInt32(0))
        var output = page([head], granule: 0, sequence: 0, flags: 0x02)
        output += page([tags], granule: 0, sequence: 1, flags: packets.isEmpty ? 0x04 : 0)
        var sequence: UInt32 = 2
        for start in stride(from: 0, to: packets.count, by: 255) {
            let chunk = Array(packets[start..<min(start + 255, packets.count)])
            let isLast = start + 255 >= packets.count
            output += page(chunk, granule: granule, sequence: sequence, flags: isLast ? 0x04 : 0)
            sequence += 1
        }
        return output
    }

    /// One Ogg page holding whole packets (each under 255 * 255 bytes), with a correct CRC.
    public static func page(_ packets: [[UInt8]], granule: Int64, sequence: UInt32, flags: UInt8,
                            serial: UInt32 = 0x4F4B) -> [UInt8] {
        var lacing: [UInt8] = []
        for packet in packets {
            lacing += Array(repeating: 255, count: packet.count / 255) + [UInt8(packet.count % 255)]
        }
        var bytes: [UInt8] = Array("OggS".utf8) + [0, flags]
        bytes += littleEndian(UInt64(bitPattern: granule)) + littleEndian(serial) + littleEndian(sequence)
        bytes += [0, 0, 0, 0, UInt8(lacing.count)] + lacing + packets.flatMap { $0 }
        bytes.replaceSubrange(22..<26, with: littleEndian(oggCRC(bytes)))
        return bytes
    }

    /// A PCM WAV file whose `data` chunk declares `declaredDataBytes` but holds `data`.
    public static func wav(data: [UInt8], declaredDataBytes: UInt32? = nil, rate: UInt32 = 16_000,
                           channels: UInt16 = 1, bits: UInt16 = 16, formatTag: UInt16 = 1) -> [UInt8] {
        let blockAlign = channels * bits / 8
        var fmt = littleEndian(formatTag) + littleEndian(channels) + littleEndian(rate)
        fmt += littleEndian(rate * UInt32(blockAlign)) + littleEndian(blockAlign) + littleEndian(bits)
        var bytes: [UInt8] = Array("RIFF".utf8) + littleEndian(UInt32(36 + data.count)) + Array("WAVEfmt ".utf8)
        bytes += littleEndian(UInt32(fmt.count)) + fmt
        bytes += Array("data".utf8) + littleEndian(declaredDataBytes ?? UInt32(data.count)) + data
        return bytes
    }

    public static func littleEndian<T: FixedWidthInteger>(_ value: T) -> [UInt8] {
        withUnsafeBytes(of: value.littleEndian, Array.init)
    }

    /// The Ogg checksum: CRC-32 with polynomial 0x04C11DB7, unreflected, over the page with its CRC field zeroed.
    private static func oggCRC(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0
        for byte in bytes {
            crc ^= UInt32(byte) << 24
            for _ in 0..<8 {
                crc = crc & 0x8000_0000 != 0 ? (crc << 1) ^ 0x04C1_1DB7 : crc << 1
            }
        }
        return crc
    }
}
