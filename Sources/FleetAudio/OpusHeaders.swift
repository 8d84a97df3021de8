/// The identification header of an Ogg Opus stream (RFC 7845 §5.1).
public struct OpusHead: Sendable, Hashable {
    /// Encapsulation version; the upper nibble is the major version and must be 0.
    public var version: UInt8
    public var channelCount: Int
    /// Samples (at 48 kHz) to drop from the start of the decoded audio: the encoder's lookahead.
    public var preSkip: Int
    /// The rate of the audio before encoding, for information only; Opus always decodes at 48 kHz.
    public var inputSampleRate: Int
    /// Gain to apply on output, in dB (stored as Q7.8 fixed point).
    public var outputGainDB: Double
    /// 0 = mono/stereo without a mapping table, the only family this module decodes.
    public var mappingFamily: UInt8

    public init(
        version: UInt8 = 1,
        channelCount: Int = 1,
        preSkip: Int,
        inputSampleRate: Int = AudioFormat.sampleRate,
        outputGainDB: Double = 0,
        mappingFamily: UInt8 = 0
    ) {
        self.version = version
        self.channelCount = channelCount
        self.preSkip = preSkip
        self.inputSampleRate = inputSampleRate
        self.outputGainDB = outputGainDB
        self.mappingFamily = mappingFamily
    }

    static let magic = "OpusHead"

    /// The 19-byte packet for mapping family 0.
    var packet: [UInt8] {
        var bytes: [UInt8] = []
        bytes.appendASCII(Self.magic)
        bytes.append(version)
        bytes.append(UInt8(clamping: channelCount))
        bytes.appendLittleEndian(UInt16(clamping: preSkip))
        bytes.appendLittleEndian(UInt32(clamping: inputSampleRate))
        bytes.appendLittleEndian(Int16(clamping: Int((outputGainDB * 256).rounded())))
        bytes.append(mappingFamily)
        return bytes
    }

    init(packet: [UInt8]) throws(AudioCodecError) {
        guard packet.starts(withASCII: Self.magic) else {
            throw .notOggOpus("the first packet is not an OpusHead")
        }
        var reader = LittleEndianReader(packet, offset: 8)
        guard let version = reader.read(UInt8.self),
              let channels = reader.read(UInt8.self),
              let preSkip = reader.read(UInt16.self),
              let rate = reader.read(UInt32.self),
              let gain = reader.read(Int16.self),
              let family = reader.read(UInt8.self)
        else {
            throw .notOggOpus("OpusHead is shorter than 19 bytes")
        }
        // RFC 7845: a reader must reject a major version it does not know.
        guard version >> 4 == 0 else {
            throw .notOggOpus("unsupported OpusHead version \(version)")
        }
        guard channels > 0 else {
            throw .notOggOpus("OpusHead declares zero channels")
        }
        self.init(
            version: version,
            channelCount: Int(channels),
            preSkip: Int(preSkip),
            inputSampleRate: Int(rate),
            outputGainDB: Double(gain) / 256,
            mappingFamily: family
        )
    }
}

/// The comment header (RFC 7845 §5.2): a vendor string and Vorbis-style `KEY=value` comments.
struct OpusTags: Sendable, Hashable {
    var vendor: String
    /// Keys are upper-cased: Vorbis comment field names are case-insensitive ASCII.
    var comments: [String: String]

    static let magic = "OpusTags"

    /// Comments are written sorted by key so the same input always produces the same bytes.
    var packet: [UInt8] {
        var bytes: [UInt8] = []
        bytes.appendASCII(Self.magic)
        bytes.appendLittleEndian(UInt32(clamping: vendor.utf8.count))
        bytes.appendASCII(vendor)
        bytes.appendLittleEndian(UInt32(clamping: comments.count))
        for (key, value) in comments.sorted(by: { $0.key < $1.key }) {
            let entry = "\(Self.fieldName(key))=\(value)"
            bytes.appendLittleEndian(UInt32(clamping: entry.utf8.count))
            bytes.appendASCII(entry)
        }
        return bytes
    }

    /// Vorbis comment field names are printable ASCII without "="; anything else is dropped
    /// so a stray "=" in a key cannot shift it into the value.
    static func fieldName(_ key: String) -> String {
        String(String.UnicodeScalarView(key.uppercased().unicodeScalars.filter { (0x20...0x7D).contains($0.value) && $0 != "=" }))
    }

    init(vendor: String, comments: [String: String]) {
        self.vendor = vendor
        self.comments = comments
    }

    init(packet: [UInt8]) throws(AudioCodecError) {
        guard packet.starts(withASCII: Self.magic) else {
            throw .notOggOpus("the second packet is not OpusTags")
        }
        var reader = LittleEndianReader(packet, offset: 8)
        guard let vendorLength = reader.read(UInt32.self),
              let vendorBytes = reader.readBytes(Int(vendorLength)),
              let count = reader.read(UInt32.self)
        else {
            throw .notOggOpus("OpusTags is malformed")
        }
        var comments: [String: String] = [:]
        for _ in 0..<count {
            guard let length = reader.read(UInt32.self), let entry = reader.readBytes(Int(length)) else {
                throw .notOggOpus("OpusTags is malformed")
            }
            // Split at the first "=" only: values (transcripts) may contain "=" themselves.
            guard let separator = entry.firstIndex(of: UInt8(ascii: "=")) else { continue }
            let key = String(decoding: entry[entry.startIndex..<separator], as: UTF8.self).uppercased()
            let value = String(decoding: entry[(separator + 1)...], as: UTF8.self)
            comments[key] = value
        }
        self.vendor = String(decoding: vendorBytes, as: UTF8.self)
        self.comments = comments
    }
}
