internal import COgg

/// One logical Ogg Opus stream, split into its headers and audio packets.
public struct OggOpusStream: Sendable, Hashable {
    public let head: OpusHead
    public let vendor: String
    /// Comment keys are upper-cased (Vorbis comment names are case-insensitive).
    public let comments: [String: String]
    /// The audio packets, in order, without the two header packets.
    public let packets: [[UInt8]]
    /// Granule position of the last page: pre-skip plus the number of real samples. Never below
    /// the pre-skip when the stream has audio packets (the reader refuses such streams).
    public let granulePosition: Int64

    /// Same as ``OggOpusReader/parse(_:maxSamples:)``.
    public static func parse(_ bytes: [UInt8], maxSamples: Int = OggOpus.defaultMaxSamples) throws(AudioCodecError) -> OggOpusStream {
        try OggOpusReader.parse(bytes, maxSamples: maxSamples)
    }
}

/// Reads a complete Ogg Opus file with libogg (page sync, CRC checks, packet reassembly).
///
/// Only the first logical stream is read; pages of other (multiplexed) streams are skipped and
/// anything after its end-of-stream page (a chained stream) is ignored.
public struct OggOpusReader: Sendable {
    /// Parses `bytes` as one Ogg Opus stream of at most `maxSamples` of audio (48 kHz).
    ///
    /// Throws ``AudioCodecError/notOggOpus(_:)`` when the bytes are not Ogg, a page is corrupt or
    /// missing, the headers are not Opus, or the granule positions make no timeline (negative,
    /// going backwards, missing on the last page, or ending before the pre-skip: a negative
    /// length); ``AudioCodecError/truncated`` when the data ends before the end-of-stream page;
    /// ``AudioCodecError/audioTooLong(samples:limit:)`` when the timeline claims more than
    /// `maxSamples`, or there are more packets than that much audio can hold (each Opus packet
    /// is at least 2.5 ms), which bounds what the packet list costs.
    public static func parse(_ bytes: [UInt8], maxSamples: Int = OggOpus.defaultMaxSamples) throws(AudioCodecError) -> OggOpusStream {
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

        var assembler = PacketAssembler(maxSamples: max(0, maxSamples))
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
    private let maxSamples: Int

    init(maxSamples: Int) {
        self.maxSamples = maxSamples
    }

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
        try advanceTimeline(to: ogg_page_granulepos(&page))
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

    /// A page's granule position: -1 means "no packet ends here"; any other negative value, or
    /// one before the previous page's, is not a timeline.
    private mutating func advanceTimeline(to pageGranule: Int64) throws(AudioCodecError) {
        guard pageGranule != -1 else { return }
        guard pageGranule >= 0 else {
            throw .notOggOpus("a page claims a negative granule position (\(pageGranule))")
        }
        guard pageGranule >= granule else {
            throw .notOggOpus("granule positions go backwards (\(granule), then \(pageGranule))")
        }
        granule = pageGranule
        if let head, granule - Int64(head.preSkip) > Int64(maxSamples) {
            throw .audioTooLong(samples: Int(clamping: granule - Int64(head.preSkip)), limit: maxSamples)
        }
    }

    private mutating func take(_ packet: [UInt8]) throws(AudioCodecError) {
        if head == nil {
            head = try OpusHead(packet: packet)
        } else if tags == nil {
            tags = try OpusTags(packet: packet)
        } else {
            // No packet, not even a lost (empty) one, stands for less than the shortest Opus frame.
            guard packets.count <= maxSamples / OpusDecoder.shortestFrameSamples else {
                throw .audioTooLong(samples: (packets.count + 1) * OpusDecoder.shortestFrameSamples, limit: maxSamples)
            }
            packets.append(packet)
        }
    }

    func stream() throws(AudioCodecError) -> OggOpusStream {
        guard let head, let tags, endOfStream else {
            throw .truncated
        }
        if !packets.isEmpty {
            guard granule >= 0 else {
                throw .notOggOpus("the stream's last page has no granule position, so its length is unknown")
            }
            guard granule >= Int64(head.preSkip) else {
                throw .notOggOpus("the stream claims a negative length: granule position \(granule) is before the pre-skip \(head.preSkip)")
            }
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
