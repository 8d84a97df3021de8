/// The bridge's adaptive jitter buffer for one speaker: holds the Opus packets that arrive, out of
/// order and unevenly spaced, and hands them back one 20 ms slot at a time on a steady schedule.
///
/// Times are seconds on the sender's stream timeline (packet n is sent at n × 20 ms), so the
/// buffer needs no wall clock: the link drives it frame by frame.
///
/// - Jitter: the RFC 3550 interarrival jitter estimate, updated on every arrival,
///   J += (|D| - J) / 16, where D is the difference in transit time between this packet and the
///   one that arrived before it.
/// - Playout: slot n plays at n × 20 ms + the smallest transit seen so far + the target delay,
///   target = clamp(k × J + margin, minimum...maximum). The smallest transit stands in for the
///   fixed part of the network delay, which a receiver cannot measure directly.
/// - The target follows J on every packet (as a time-stretching buffer such as WebRTC's NetEq
///   does), so a jitter burst grows the delay within a few dozen packets and it shrinks after.
/// - A packet that arrives after its slot has played is late: the slot was already concealed, and
///   the packet is dropped.
struct JitterBuffer: Sendable {
    struct Settings: Sendable, Equatable {
        var frameDuration = 0.02
        /// k: how many times the jitter estimate the buffer waits. With exponentially
        /// distributed queueing delay, J is about the mean extra delay, and 3 J + 10 ms leaves
        /// roughly 4 % of packets late.
        var jitterMultiplier = 3.0
        var margin = 0.01
        /// The lower bound is one frame; the upper bound keeps the playout lag inside the
        /// 0.4 s of trailing silence a speaker's client sends after the segmenter's timeout, so
        /// an utterance still closes within its own burst even in a bad jitter storm.
        var delayRange: ClosedRange<Double> = 0.02...0.25
    }

    /// One slot's turn to play: its packet if it came in time, else the next packet if that one
    /// is already here (its in-band FEC can rebuild this slot).
    struct Slot: Sendable, Equatable {
        var sequence: Int
        var packet: [UInt8]?
        var next: [UInt8]?
    }

    enum Arrival: Sendable, Equatable {
        case buffered
        /// Its slot already played (concealed); the packet is dropped.
        case late
    }

    let settings: Settings
    private var held: [Int: [UInt8]] = [:]
    /// The next slot to play; every slot before it has been played or concealed.
    private(set) var nextSlot = 0
    /// Anchors the schedule; nil until the first packet arrives.
    private var transitFloor: Double?
    private var lastTransit: Double?
    /// The RFC 3550 interarrival jitter estimate J, in seconds.
    private(set) var jitter = 0.0
    /// How long past the fastest transit the buffer holds each slot, in seconds.
    private(set) var targetDelay: Double

    /// Comparisons of times built from sums of 20 ms steps must not hinge on rounding.
    private static let tolerance = 1e-9

    init(settings: Settings = Settings()) {
        self.settings = settings
        targetDelay = settings.delayRange.lowerBound
    }

    /// Packets held, waiting for their slot.
    var depth: Int { held.count }

    /// When slot `sequence` plays; nil before anything has arrived.
    func playoutTime(of sequence: Int) -> Double? {
        transitFloor.map { Double(sequence) * settings.frameDuration + $0 + targetDelay }
    }

    /// Takes in packet `sequence`, which arrived at `arrivedAt`; it updates the jitter estimate
    /// and the target delay whether or not it is still in time.
    mutating func arrive(_ packet: [UInt8], sequence: Int, at arrivedAt: Double) -> Arrival {
        let transit = arrivedAt - Double(sequence) * settings.frameDuration
        if let lastTransit { jitter += (abs(transit - lastTransit) - jitter) / 16 }
        lastTransit = transit
        transitFloor = min(transitFloor ?? transit, transit)
        let wanted = settings.jitterMultiplier * jitter + settings.margin
        targetDelay = min(max(wanted, settings.delayRange.lowerBound), settings.delayRange.upperBound)
        guard sequence >= nextSlot else { return .late }
        held[sequence] = packet
        return .buffered
    }

    /// The slots whose playout time has come by `now`, in order. Usually one per 20 ms; none while
    /// the target delay grows, two when it shrinks or a burst of slots is already overdue.
    mutating func due(at now: Double) -> [Slot] {
        var slots: [Slot] = []
        while let time = playoutTime(of: nextSlot), time <= now + Self.tolerance {
            let packet = held.removeValue(forKey: nextSlot)
            slots.append(Slot(sequence: nextSlot, packet: packet, next: packet == nil ? held[nextSlot + 1] : nil))
            nextSlot += 1
        }
        return slots
    }
}
