import FleetTelemetry
public import ServiceKit
import Synchronization

/// What the network does to one speaker's packets right now. A ``VoiceLink`` asks for these on
/// every frame, so a scenario switched on while someone is talking takes effect on the next packet.
public struct LinkConditions: Sendable, Equatable {
    /// Mean share of packets lost, in percent.
    public var lossPercent: Double
    /// Mean length of a run of lost packets (Gilbert-Elliott); nil for independent loss.
    public var meanBurstLength: Double?
    /// Mean extra queueing delay per packet, in milliseconds (exponentially distributed, so the
    /// RFC 3550 jitter estimate comes out near this value and some packets are reordered).
    public var jitterMs: Double
    /// The fixed one-way delay every packet takes, in milliseconds.
    public var baseDelayMs: Double

    /// Bursts of the `packetLoss` scenario: three packets (60 ms) on average, a typical Wi-Fi fade.
    public static let scenarioBurstLength = 3.0

    public init(lossPercent: Double = 0, meanBurstLength: Double? = nil, jitterMs: Double = 0, baseDelayMs: Double = 20) {
        self.lossPercent = lossPercent.isFinite ? max(0, lossPercent) : 0
        self.meanBurstLength = meanBurstLength
        self.jitterMs = jitterMs.isFinite ? max(0, jitterMs) : 0
        self.baseDelayMs = baseDelayMs.isFinite ? max(0, baseDelayMs) : 0
    }

    /// The speaker's client embeds in-band FEC when it expects packets to go missing or arrive
    /// too late, as Discord's clients do when the receiver reports loss.
    public var expectsImpairment: Bool { lossPercent > 0 || jitterMs > 0 }

    /// The static settings alone (DISCORD_PACKET_LOSS, DISCORD_JITTER_MS): scattered loss.
    public static func fixed(lossPercent: Double, jitterMs: Double = 0) -> @Sendable () -> LinkConditions {
        let conditions = LinkConditions(lossPercent: lossPercent, jitterMs: jitterMs)
        return { conditions }
    }

    /// The static settings plus whatever the `packetLoss` (mean loss %, in bursts) and
    /// `jitterBurst` (ms) scenarios on `scenarios` say at the moment of each call.
    public static func live(lossPercent: Double, jitterMs: Double,
                            scenarios: ScenarioBoard) -> @Sendable () -> LinkConditions {
        return {
            let burstyLoss = scenarios.severity(.packetLoss) ?? 0
            let extraJitter = scenarios.severity(.jitterBurst) ?? 0
            return LinkConditions(lossPercent: lossPercent + burstyLoss,
                                  meanBurstLength: burstyLoss > 0 ? scenarioBurstLength : nil,
                                  jitterMs: jitterMs + extraJitter)
        }
    }
}

/// Where a link reports what happened to its packets since its last report. The bridge sends it to
/// the metrics; a test records it.
public struct LinkTelemetry: Sendable {
    public struct Report: Sendable, Equatable {
        public var packetsReceived = 0
        public var packetsLost = 0
        public var packetsLate = 0
        public var concealedByPLC = 0
        public var concealedByFEC = 0
        public var starved = 0
        /// The jitter estimate and the buffer's target delay at the time of the report, in seconds.
        public var jitterSeconds = 0.0
        public var bufferDelaySeconds = 0.0

        public init() {}

        /// What changed between two of a link's statistics; the jitter and delay are `now`'s.
        init(since earlier: VoiceLink.Statistics, now: VoiceLink.Statistics) {
            packetsReceived = now.packetsReceived - earlier.packetsReceived
            packetsLost = now.packetsLost - earlier.packetsLost
            packetsLate = now.packetsLate - earlier.packetsLate
            concealedByPLC = now.framesConcealed - earlier.framesConcealed
            concealedByFEC = now.framesRecovered - earlier.framesRecovered
            starved = now.framesStarved - earlier.framesStarved
            jitterSeconds = now.jitterSeconds
            bufferDelaySeconds = now.bufferDelaySeconds
        }
    }

    let deliver: @Sendable (Report) -> Void

    public init(_ deliver: @escaping @Sendable (Report) -> Void) {
        self.deliver = deliver
    }

    /// The catalogued voice_packets_* / voice_frames_concealed_total counters and the jitter and
    /// buffer-delay histograms (one observation per report, i.e. per speaker per second of audio).
    public static let metrics = LinkTelemetry { report in
        MetricCatalog.packetsReceived.increment(by: Double(report.packetsReceived))
        MetricCatalog.packetsLost.increment(by: Double(report.packetsLost))
        MetricCatalog.packetsLate.increment(by: Double(report.packetsLate))
        MetricCatalog.framesConcealed.increment(by: Double(report.concealedByPLC), ["method": "plc"])
        MetricCatalog.framesConcealed.increment(by: Double(report.concealedByFEC), ["method": "fec"])
        if report.starved > 0 { MetricCatalog.jitterBufferStarved.increment(by: Double(report.starved)) }
        MetricCatalog.networkJitter.observe(report.jitterSeconds)
        MetricCatalog.jitterBufferDelay.observe(report.bufferDelaySeconds)
    }

    /// Keeps every report, for tests.
    public static func recording() -> (telemetry: LinkTelemetry, reports: @Sendable () -> [Report]) {
        let box = ReportBox()
        return (LinkTelemetry { report in box.append(report) }, { box.all })
    }
}

/// Shares the recorded reports between the recording closure and the reader.
private final class ReportBox: Sendable {
    private let reports = Mutex<[LinkTelemetry.Report]>([])

    func append(_ report: LinkTelemetry.Report) { reports.withLock { $0.append(report) } }
    var all: [LinkTelemetry.Report] { reports.withLock { $0 } }
}
