internal import COgg

/// One logical Ogg Opus stream, split into its headers and audio packets.
public struct OggOpusStream: Sendable, Hashable {
    public let head: OpusHead
    public let vendor: String
    /// Comment keys are upper-cased (Vorbis comment names are case-insensitive).
    public let comments: [String: String]
    /// The audio packets, in order, without the two header packets.
    public let packets: [[UInt8]]
    /// Granule position of the last page: pre-skip plus the number of real samples.
    public let granulePosition: Int64

    /// Same as ``OggOpusReader/parse(_:)``.
    public static func parse(_ bytes: [UInt8]) throws(AudioCodecError) -> OggOpusStream {
        try OggOpusReader.parse(bytes)
    }
}

/// Reads a complete Ogg Opus file with libogg (page sync, CRC checks, packet reassembly).
///
/// Only the first logical stream is read; pages of other (multiplexed) streams are skipped and
/// anything after its end-of-stream page (a chained stream) is ignored.
public struct OggOpusReader: Sendable {
    /// Parses `bytes` as one Ogg Opus stream.
    ///
    /// Throws ``AudioCodecError/notOggOpus(_:)`` when the bytes are not Ogg, a page is corrupt or
    /// missing, or the headers are not Opus; ``AudioCodecError/truncated`` when the data ends
    /// before the end-of-stream page.
    public static func parse(_ bytes: [UInt8]) throws(AudioCodecError) -> OggOpusStream {
        guard bytes.starts(withASCII: "OggS") else {
            throw .notOggOpus("missing the OggS capture pattern")
        }
        var sync = ogg_sync_state()
        ogg_sync_init(&sync)
        defer { ogg_sync_clear(&sync) }
        guard let buffer = ogg_sync_buffer(&sync, bytes.count) else {
            throw .notOggOpus("libogg could not allocate a sync buffer")
        }
        bytes.withUnsafeBytes { source in
            UnsafeMutableRawBufferPointer(start: buffer, count: source.count).copyMemory(from: source)
        }
        ogg_sync_wrote(&sync, bytes.count)

        var assembler = PacketAssembler()
        defer { assembler.close() }
        var page = ogg_page()
        while !assembler.endOfStream {
            let status = ogg_sync_pageout(&sync, &page)
            if status == 0 { break }
            guard status > 0 else {
                throw .notOggOpus("corrupt Ogg page (bad checksum or stray bytes between pages)")
            }
            try assembler.add(&page)
        }
        return try assembler.stream()
    }
}

/// Feeds pages of one serial number into libogg and sorts the packets into headers and audio.
private struct PacketAssembler {
    private var state = ogg_stream_state()
    private var serial: Int32?
    private var head: OpusHead?
    private var tags: OpusTags?
    private var packets: [[UInt8]] = []
    private var granule: Int64 = -1
    private(set) var endOfStream = false

    mutating func add(_ page: inout ogg_page) throws(AudioCodecError) {
        let pageSerial = ogg_page_serialno(&page)
        if serial == nil {
            guard ogg_page_bos(&page) != 0 else {
                throw .notOggOpus("the first page is not a beginning-of-stream page")
            }
            ogg_stream_init(&state, pageSerial)
            serial = pageSerial
        }
        guard pageSerial == serial else { return }
        guard ogg_stream_pagein(&state, &page) == 0 else {
            throw .notOggOpus("libogg rejected a page")
        }
        let pageGranule = ogg_page_granulepos(&page)
        if pageGranule >= 0 { granule = pageGranule }
        if ogg_page_eos(&page) != 0 { endOfStream = true }

        var packet = ogg_packet()
        while true {
            let status = ogg_stream_packetout(&state, &packet)
            if status == 0 { break }
            guard status > 0 else {
                throw .notOggOpus("a page is missing (gap in the page sequence)")
            }
            let bytes = packet.bytes > 0 && packet.packet != nil
                ? Array(UnsafeBufferPointer(start: packet.packet, count: packet.bytes))
                : []
            try take(bytes)
        }
    }

    private mutating func take(_ packet: [UInt8]) throws(AudioCodecError) {
        if head == nil {
            head = try OpusHead(packet: packet)
        } else if tags == nil {
            tags = try OpusTags(packet: packet)
        } else {
            packets.append(packet)
        }
    }

    func stream() throws(AudioCodecError) -> OggOpusStream {
        guard let head, let tags, endOfStream else {
            throw .truncated
        }
        return OggOpusStream(
            head: head,
            vendor: tags.vendor,
            comments: tags.comments,
            packets: packets,
            granulePosition: granule
        )
    }

    mutating func close() {
        if serial != nil { ogg_stream_clear(&state) }
    }
}
