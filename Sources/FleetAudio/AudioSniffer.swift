/// Recognizes uploaded audio by its magic bytes, so services never trust a file extension
/// or Content-Type header.
public enum AudioSniffer {
    /// True for an Ogg stream whose first packet is an OpusHead (RFC 7845 puts it alone on page 0).
    public static func isOggOpus(_ bytes: [UInt8]) -> Bool {
        // Ogg page header: 27 fixed bytes, then one lacing value per segment, then the packet data.
        guard bytes.count >= 27, bytes.starts(withASCII: "OggS") else { return false }
        let packetStart = 27 + Int(bytes[26])
        guard bytes.count >= packetStart + 8 else { return false }
        return bytes[packetStart...].starts(withASCII: OpusHead.magic)
    }

    /// True for a RIFF/WAVE file.
    public static func isWAV(_ bytes: [UInt8]) -> Bool {
        bytes.count >= 12 && bytes.starts(withASCII: "RIFF") && bytes[8..<12].starts(withASCII: "WAVE")
    }
}
