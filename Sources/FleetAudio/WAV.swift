/// RIFF/WAVE reading and writing: the format speech models and test fixtures usually come in.
public enum WAV {
    private static let formatPCM: UInt16 = 1
    private static let formatFloat: UInt16 = 3
    private static let formatExtensible: UInt16 = 0xFFFE

    /// Decodes integer PCM (8, 16, 24 or 32 bit) and IEEE float (32 or 64 bit) WAV data,
    /// averaging all channels down to mono; refuses audio longer than `maxSamples` at 48 kHz
    /// (the rate it will be resampled to), before allocating any samples.
    ///
    /// Lenient where real files are sloppy: a streamed WAV, whose `data` chunk size was written
    /// before its length was known (0, or an "unknown" value from 0x7FFF0000 up: sox and ffmpeg
    /// write such), is read up to the last whole frame. Any other size that runs past the end of
    /// the file is a lie (or a cut-off download) and is refused as ``AudioCodecError/truncated``.
    public static func decode(_ bytes: [UInt8], maxSamples: Int = OggOpus.defaultMaxSamples) throws(AudioCodecError)
        -> (samples: [Float], sampleRate: Int)
    {
        guard bytes.count >= 12, bytes.starts(withASCII: "RIFF"), bytes[8..<12].starts(withASCII: "WAVE") else {
            throw .invalidWAV("missing the RIFF/WAVE header")
        }
        var reader = LittleEndianReader(bytes, offset: 12)
        var format: Format?
        while let chunkID = reader.readBytes(4), let declaredSize = reader.read(UInt32.self) {
            let size = Int(declaredSize)
            if chunkID.starts(withASCII: "fmt ") {
                guard let body = reader.readBytes(size) else {
                    throw .invalidWAV("the fmt chunk is truncated")
                }
                format = try Format(Array(body))
            } else if chunkID.starts(withASCII: "data") {
                guard let format else {
                    throw .invalidWAV("the data chunk comes before the fmt chunk")
                }
                let streamed = declaredSize == 0 || declaredSize >= unknownDataSize
                guard streamed || size <= reader.remaining else {
                    throw .truncated
                }
                let body = reader.readBytes(streamed ? reader.remaining : size) ?? []
                try format.checkBudget(frames: body.count / format.frameBytes, maxSamples: maxSamples)
                return (format.mixDown(body), format.sampleRate)
            } else if !reader.skip(size) {
                break
            }
            // Chunks are word-aligned: an odd-sized chunk is followed by one pad byte.
            if size % 2 == 1 { _ = reader.skip(1) }
        }
        throw .invalidWAV(format == nil ? "no fmt chunk" : "no data chunk")
    }

    /// Data chunk sizes from here up mean "length unknown" (streamed output).
    private static let unknownDataSize: UInt32 = 0x7FFF_0000

    /// Encodes mono samples as 16-bit PCM, clamping to -1...1.
    public static func encode(_ samples: [Float], sampleRate: Int) -> [UInt8] {
        let dataSize = samples.count * 2
        var bytes: [UInt8] = []
        bytes.reserveCapacity(44 + dataSize)
        bytes.appendASCII("RIFF")
        bytes.appendLittleEndian(UInt32(clamping: 36 + dataSize))
        bytes.appendASCII("WAVE")
        bytes.appendASCII("fmt ")
        bytes.appendLittleEndian(UInt32(16))
        bytes.appendLittleEndian(formatPCM)
        bytes.appendLittleEndian(UInt16(1))  // channels
        bytes.appendLittleEndian(UInt32(clamping: sampleRate))
        bytes.appendLittleEndian(UInt32(clamping: sampleRate * 2))  // byte rate
        bytes.appendLittleEndian(UInt16(2))  // block align
        bytes.appendLittleEndian(UInt16(16))  // bits per sample
        bytes.appendASCII("data")
        bytes.appendLittleEndian(UInt32(clamping: dataSize))
        for sample in samples {
            // Scale by 32768 to mirror decoding exactly; only +1.0 itself needs the clamp to 32767.
            let clamped = sample.isFinite ? min(1, max(-1, sample)) : 0
            bytes.appendLittleEndian(Int16(clamping: Int((clamped * 32_768).rounded())))
        }
        return bytes
    }

    /// What the `fmt ` chunk says about the sample layout.
    private struct Format {
        enum Encoding { case integer, float }
        var encoding: Encoding
        var channels: Int
        var sampleRate: Int
        var bitsPerSample: Int
        var bytesPerSample: Int { bitsPerSample / 8 }
        var frameBytes: Int { bytesPerSample * channels }

        /// `frames` at this rate, resampled to 48 kHz, must fit in `maxSamples`.
        func checkBudget(frames: Int, maxSamples: Int) throws(AudioCodecError) {
            let resampled = frames.multipliedReportingOverflow(by: AudioFormat.sampleRate)
            let samples = resampled.overflow ? Int.max : resampled.partialValue / sampleRate
            guard samples <= maxSamples else {
                throw .audioTooLong(samples: samples, limit: maxSamples)
            }
        }

        init(_ body: [UInt8]) throws(AudioCodecError) {
            var reader = LittleEndianReader(body)
            guard var tag = reader.read(UInt16.self),
                  let channels = reader.read(UInt16.self),
                  let rate = reader.read(UInt32.self),
                  reader.skip(6),  // byte rate, block align: derivable, and often wrong in the wild
                  let bits = reader.read(UInt16.self)
            else {
                throw .invalidWAV("the fmt chunk is shorter than 16 bytes")
            }
            if tag == WAV.formatExtensible {
                // WAVEFORMATEXTENSIBLE: the real format tag is the first two bytes of the sub-format GUID.
                guard reader.skip(8), let subFormat = reader.read(UInt16.self) else {
                    throw .invalidWAV("the extensible fmt chunk is truncated")
                }
                tag = subFormat
            }
            switch (tag, bits) {
            case (WAV.formatPCM, 8), (WAV.formatPCM, 16), (WAV.formatPCM, 24), (WAV.formatPCM, 32):
                encoding = .integer
            case (WAV.formatFloat, 32), (WAV.formatFloat, 64):
                encoding = .float
            default:
                throw .invalidWAV("unsupported encoding: format tag \(tag), \(bits) bits")
            }
            guard (1...8).contains(channels) else {
                throw .unsupportedChannelCount(Int(channels))
            }
            // Rates outside what any audio hardware uses are corrupt headers; resampling from
            // 1 Hz would otherwise ask for a gigantic output buffer.
            guard (1_000...768_000).contains(rate) else {
                throw .invalidWAV("unsupported sample rate \(rate) Hz")
            }
            self.channels = Int(channels)
            self.sampleRate = Int(rate)
            self.bitsPerSample = Int(bits)
        }

        /// Converts interleaved frames to mono floats by averaging channels.
        func mixDown(_ data: ArraySlice<UInt8>) -> [Float] {
            let frameCount = data.count / frameBytes
            var samples = [Float](repeating: 0, count: frameCount)
            let channelScale = 1 / Float(channels)
            data.withUnsafeBytes { raw in
                for frame in 0..<frameCount {
                    var sum: Float = 0
                    for channel in 0..<channels {
                        sum += sample(raw, at: frame * frameBytes + channel * bytesPerSample)
                    }
                    samples[frame] = sum * channelScale
                }
            }
            return samples
        }

        private func sample(_ raw: UnsafeRawBufferPointer, at offset: Int) -> Float {
            switch (encoding, bitsPerSample) {
            case (.integer, 8):
                // 8-bit WAV is the one unsigned format: 128 is silence.
                return (Float(raw[offset]) - 128) / 128
            case (.integer, 16):
                return Float(Int16(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: Int16.self))) / 32_768
            case (.integer, 24):
                let value = Int32(raw[offset]) | Int32(raw[offset + 1]) << 8 | Int32(Int8(bitPattern: raw[offset + 2])) << 16
                return Float(value) / 8_388_608
            case (.integer, _):
                return Float(Int32(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: Int32.self))) / 2_147_483_648
            case (.float, 32):
                let value = Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: UInt32.self)))
                return value.isFinite ? value : 0
            case (.float, _):
                let value = Double(bitPattern: UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self)))
                return value.isFinite ? Float(value) : 0
            }
        }
    }
}
