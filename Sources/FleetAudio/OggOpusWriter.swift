internal import COgg

/// Streams Opus packets into an Ogg Opus byte stream (RFC 7845), page by page.
///
/// The first ``append(packet:samples:)`` returns the OpusHead page and the OpusTags page(s);
/// audio pages follow as they fill (at most ``maxPageDuration`` of audio each), and ``finish()``
/// returns the final page, flagged end-of-stream. Concatenating everything returned is a
/// valid `.opus` file, and every chunk can be sent as soon as it is returned.
///
/// The writer always holds back the newest packet, so that the last packet of the stream lands
/// on the end-of-stream page: that is the only page whose granule position may end-trim.
///
/// It is a true value type: libogg's `ogg_stream_state` is created for each flush and set up
/// from the sequence number kept here, so copies of a writer never share C state.
public struct OggOpusWriter: Sendable {
    public let serial: UInt32
    public let preSkip: Int
    public let comments: [String: String]
    public let vendor: String
    /// Audio is flushed to a page once this much is pending (RFC 7845 suggests ≤ 1 s for seeking).
    public let maxPageDuration: Double

    private struct PendingPacket: Sendable {
        var bytes: [UInt8]
        var samples: Int
        var granule: Int64
    }

    private var headersWritten = false
    private var finished = false
    private var nextPageSequence = 0
    private var granule: Int64 = 0
    private var pending: [PendingPacket] = []
    private var pendingSamples = 0
    private var held: PendingPacket?

    public init(
        serial: UInt32,
        preSkip: Int,
        comments: [String: String] = [:],
        vendor: String = "AudioFleet",
        maxPageDuration: Double = 1.0
    ) {
        self.serial = serial
        self.preSkip = preSkip
        self.comments = comments
        self.vendor = vendor
        self.maxPageDuration = maxPageDuration
    }

    /// Adds one Opus packet and returns whatever pages are complete (often none).
    ///
    /// - Parameter samples: how many 48 kHz samples of this packet count towards the stream:
    ///   960 for a 20 ms packet. Pass fewer only for the final packet, to mark the encoder's
    ///   zero padding as "not audio" (end trimming). Packets appended after ``finish()`` are ignored.
    public mutating func append(packet: [UInt8], samples: Int = AudioFormat.samplesPerFrame) -> [UInt8] {
        guard !finished else { return [] }
        var output = headersWritten ? [] : writeHeaders(endOfStream: false)
        granule += Int64(max(0, samples))
        let incoming = PendingPacket(bytes: packet, samples: max(0, samples), granule: granule)
        if let previous = held {
            pending.append(previous)
            pendingSamples += previous.samples
        }
        held = incoming
        if Double(pendingSamples) >= maxPageDuration * Double(AudioFormat.sampleRate) {
            output += flushPending(endOfStream: false)
        }
        return output
    }

    /// Writes everything still pending as the final, end-of-stream page(s).
    /// A stream without audio still gets its two header pages, the second one flagged end-of-stream.
    public mutating func finish() -> [UInt8] {
        guard !finished else { return [] }
        finished = true
        guard headersWritten else {
            return writeHeaders(endOfStream: true)
        }
        if let last = held {
            pending.append(last)
            held = nil
        }
        return flushPending(endOfStream: true)
    }

    private mutating func writeHeaders(endOfStream: Bool) -> [UInt8] {
        headersWritten = true
        let head = OpusHead(preSkip: preSkip).packet
        let tags = OpusTags(vendor: vendor, comments: comments).packet
        // Each header must sit alone on its page(s), so each gets its own flush.
        var output = writePages([PendingPacket(bytes: head, samples: 0, granule: 0)], endOfStream: false)
        output += writePages([PendingPacket(bytes: tags, samples: 0, granule: 0)], endOfStream: endOfStream)
        return output
    }

    private mutating func flushPending(endOfStream: Bool) -> [UInt8] {
        guard !pending.isEmpty else { return [] }
        let output = writePages(pending, endOfStream: endOfStream)
        pending.removeAll(keepingCapacity: true)
        pendingSamples = 0
        return output
    }

    /// Lays `packets` out on as many pages as libogg needs (it splits at 255 lacing values),
    /// continuing this stream's page sequence.
    private mutating func writePages(_ packets: [PendingPacket], endOfStream: Bool) -> [UInt8] {
        var stream = ogg_stream_state()
        // ogg_stream_init only fails when malloc does.
        guard ogg_stream_init(&stream, Int32(bitPattern: serial)) == 0 else { return [] }
        defer { ogg_stream_clear(&stream) }
        stream.pageno = nextPageSequence
        // libogg flags the first page it ever writes as beginning-of-stream; only page 0 is.
        stream.b_o_s = nextPageSequence == 0 ? 0 : 1

        for (index, packet) in packets.enumerated() {
            let isLast = index == packets.count - 1
            // libogg copies the bytes; a non-empty array guarantees a valid base address.
            let bytes = packet.bytes.isEmpty ? [0] : packet.bytes
            bytes.withUnsafeBufferPointer { buffer in
                var oggPacket = ogg_packet()
                oggPacket.packet = UnsafeMutablePointer(mutating: buffer.baseAddress)
                oggPacket.bytes = packet.bytes.count
                oggPacket.b_o_s = nextPageSequence == 0 && index == 0 ? 1 : 0
                oggPacket.e_o_s = endOfStream && isLast ? 1 : 0
                oggPacket.granulepos = packet.granule
                _ = ogg_stream_packetin(&stream, &oggPacket)
            }
        }

        var output: [UInt8] = []
        var page = ogg_page()
        // No byte threshold: a page ends only at libogg's 255-segment limit or at the end of the batch.
        while ogg_stream_flush_fill(&stream, &page, Int32.max) != 0 {
            output.append(contentsOf: UnsafeBufferPointer(start: page.header, count: page.header_len))
            output.append(contentsOf: UnsafeBufferPointer(start: page.body, count: page.body_len))
        }
        nextPageSequence = stream.pageno
        return output
    }
}
