public import FleetTelemetry
import Foundation

/// The plan behind `audio-fleet scenario chaos`: random scenarios switched on at random severities
/// for random durations, a pure function of the seed. The same seed and options give the same
/// events — (time offset, scenario, value) — on every machine, so a demo that showed something
/// worth seeing can be replayed; the command only sleeps until each event and applies it.
///
/// It is an endless sequence, in time order: take a prefix (`prefix(while:)` up to `--until`).
public struct ChaosSchedule: Sequence, Sendable {
    public struct Options: Sendable, Equatable {
        /// Shortest and longest time a scenario stays on, in seconds.
        public var minDuration: Double
        public var maxDuration: Double
        /// At most this many scenarios on at once; a start that would exceed it waits for an end.
        public var maxActive: Int
        /// The scenarios it may choose from.
        public var scenarios: [Scenario]

        public init(minDuration: Double = 20, maxDuration: Double = 120, maxActive: Int = 2,
                    scenarios: [Scenario] = Scenario.all) {
            self.minDuration = minDuration
            self.maxDuration = maxDuration
            self.maxActive = maxActive
            self.scenarios = scenarios
        }

        /// Why these options cannot make a schedule, in words for the command line; nil when they can.
        public var problem: String? {
            if !(minDuration > 0) { return "--min-duration must be more than 0 seconds" }
            if !(maxDuration >= minDuration) { return "--max-duration must be at least --min-duration" }
            if maxActive < 1 { return "--max-active must be at least 1" }
            if scenarios.isEmpty { return "there is no scenario left to choose from" }
            return nil
        }
    }

    /// One change: at `offset` seconds after the start, `scenario` goes on at `value` (for
    /// `duration` seconds), or goes off (`value` nil).
    public struct Event: Sendable, Equatable, CustomStringConvertible {
        public var offset: Double
        public var scenario: Scenario
        public var value: FlagValue?
        public var duration: Double?

        public var description: String {
            guard let value else { return "+\(Int(offset))s \(scenario.key) off" }
            return "+\(Int(offset))s \(scenario.key) on at \(value) for \(Int(duration ?? 0))s"
        }
    }

    public let seed: UInt64
    public let options: Options

    public init(seed: UInt64, options: Options = Options()) {
        self.seed = seed
        self.options = options
    }

    public func makeIterator() -> Iterator { Iterator(seed: seed, options: options) }

    /// Walks the schedule: the next change is the earlier of the next start and the earliest end.
    public struct Iterator: IteratorProtocol, Sendable {
        let options: Options
        var random: SeededGenerator
        var active: [(scenario: Scenario, endsAt: Double)] = []
        var nextStart = 0.0

        init(seed: UInt64, options: Options) {
            self.options = options
            random = SeededGenerator(seed: seed, stream: "chaos")
        }

        public mutating func next() -> Event? {
            guard options.problem == nil else { return nil }
            let earliest = active.indices.min { active[$0].endsAt < active[$1].endsAt }
            let canStart = active.count < options.maxActive && active.count < options.scenarios.count
            if canStart, earliest.map({ nextStart < active[$0].endsAt }) ?? true {
                return start(at: nextStart)
            }
            // `earliest` exists: with nothing on, a start is always possible.
            let ending = active.remove(at: earliest ?? 0)
            // A start held back by the limit comes shortly after this end: long enough for the
            // dashboards to show the recovery, short enough that the demo keeps moving.
            if nextStart <= ending.endsAt { nextStart = ending.endsAt + (options.minDuration / 4).rounded(.up) }
            return Event(offset: ending.endsAt, scenario: ending.scenario, value: nil, duration: nil)
        }

        private mutating func start(at offset: Double) -> Event {
            let idle = options.scenarios.filter { candidate in !active.contains { $0.scenario == candidate } }
            let scenario = idle[Int(uniform() * Double(idle.count)) % idle.count]
            let value = ChaosSchedule.severity(for: scenario, uniform())
            let duration = (options.minDuration + uniform() * (options.maxDuration - options.minDuration)).rounded()
            active.append((scenario, offset + duration))
            nextStart = offset + pause()
            return Event(offset: offset, scenario: scenario, value: value, duration: duration)
        }

        /// The gap between two starts: half the shortest to half the longest duration, so about
        /// `maxActive` scenarios overlap at the defaults.
        private mutating func pause() -> Double {
            (options.minDuration / 2 + uniform() * (options.maxDuration - options.minDuration) / 2).rounded()
        }

        /// A draw in [0, 1) from the top 53 bits, the same on every platform.
        private mutating func uniform() -> Double {
            Double(random.next() >> 11) * 0x1p-53
        }
    }

    /// A severity that shows on the dashboards: the catalogued `on` value's distance from neutral
    /// scaled by 0.5x to 2x (log-uniform, so as often milder as harsher), whole numbers, inside the
    /// range and never the neutral value. A peer scenario picks a service, a toggle is on.
    /// `draw` is a number in [0, 1).
    public static func severity(for scenario: Scenario, _ draw: Double) -> FlagValue {
        switch scenario.scale {
        case .number(_, let range, let neutral):
            let catalogued = scenario.onValue.magnitude
            let scaled = neutral + (catalogued - neutral) * pow(2, 2 * draw - 1)
            var value = Swift.min(Swift.max(scaled.rounded(), range.lowerBound), range.upperBound)
            if value == neutral { value = Swift.min(neutral + 1, range.upperBound) }
            return .number(value)
        case .peer(let allowed):
            return allowed.isEmpty ? scenario.onValue : .string(allowed[Int(draw * Double(allowed.count)) % allowed.count])
        case .toggle:
            return .bool(true)
        }
    }
}
