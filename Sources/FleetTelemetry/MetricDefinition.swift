import CoreMetrics

/// One catalogued metric: its name (unit suffix included), kind, help text, labels and buckets.
///
/// Recording goes through swift-metrics, so it reaches whatever backend the process bootstrapped:
/// OTLP and `/metrics` in a service, nothing in a unit test that did not bootstrap.
public struct MetricDefinition: Sendable, Hashable, CustomStringConvertible {
    public enum Kind: String, Sendable, Hashable { case counter, gauge, histogram }

    /// Which services emit the metric; the end-to-end and dashboard tests check exactly these.
    public enum Emitters: Sendable, Hashable {
        case everyService
        case services(Set<String>)

        public func includes(_ service: String) -> Bool {
            switch self {
            case .everyService: return true
            case .services(let names): return names.contains(service)
            }
        }
    }

    /// A label and, when the values are a closed set, that set. Values outside it become `other`.
    public struct Label: Sendable, Hashable {
        public let name: String
        public let allowed: Set<String>?

        public init(_ name: String, allowed: [String]? = nil) {
            self.name = name
            self.allowed = allowed.map(Set.init)
        }

        func bounded(_ value: String) -> String {
            guard let allowed, !allowed.contains(value) else { return value }
            return "other"
        }
    }

    public let name: String
    public let kind: Kind
    public let help: String
    public let labels: [Label]
    public let buckets: [Double]
    public let emittedBy: Emitters

    public init(_ name: String, _ kind: Kind, help: String, labels: [Label] = [], buckets: [Double] = [],
                emittedBy: Emitters) {
        self.name = name
        self.kind = kind
        self.help = help
        self.labels = labels
        self.buckets = buckets
        self.emittedBy = emittedBy
    }

    public var description: String { name }
    public var labelNames: [String] { labels.map(\.name) }

    /// Orders the caller's labels as catalogued, bounds their values, and fills a missing one with
    /// `unknown`, so every series of a metric has the same label names.
    /// Runs on every record, in the debug build the native fleet runs too: a plain loop, and a check
    /// of the caller's label names that builds no sets (two `Set`s per record were a third of it).
    func dimensions(_ values: [String: String]) -> [(String, String)] {
        assert(values.keys.allSatisfy { key in labels.contains { $0.name == key } }, "\(name) has no label in \(values.keys)")
        var dimensions: [(String, String)] = []
        dimensions.reserveCapacity(labels.count)
        for label in labels {
            dimensions.append((label.name, label.bounded(values[label.name] ?? "unknown")))
        }
        return dimensions
    }

    // MARK: Recording

    /// Adds to a counter. Fractional amounts (seconds of audio) are kept exactly.
    public func increment(by amount: Double = 1, _ labels: [String: String] = [:]) {
        assert(kind == .counter, "\(name) is not a counter")
        record(labels, by: amount, through: MetricHandles.cache)
    }

    /// Records one observation of a histogram (seconds, scores, rates).
    public func observe(_ value: Double, _ labels: [String: String] = [:]) {
        assert(kind == .histogram, "\(name) is not a histogram")
        observe(value, labels, through: MetricHandles.cache)
    }

    /// Registers a histogram series without observing anything, so it exists at zero.
    func touch(_ labels: [String: String]) {
        if let cache = MetricHandles.cache {
            _ = cache.recorder(name, dimensions(labels))
        } else {
            _ = Recorder(label: name, dimensions: dimensions(labels), aggregate: true)
        }
    }

    /// Sets a gauge. Gauges are swift-metrics `Meter`s only, so both backends see one instrument kind.
    public func set(_ value: Double, _ labels: [String: String] = [:]) {
        assert(kind == .gauge, "\(name) is not a gauge")
        if let cache = MetricHandles.cache {
            cache.meter(name, dimensions(labels)).set(value)
        } else {
            Meter(label: name, dimensions: dimensions(labels)).set(value)
        }
    }

    /// Moves a gauge up or down (in-flight requests, active sessions).
    public func adjust(by delta: Double, _ labels: [String: String] = [:]) {
        assert(kind == .gauge, "\(name) is not a gauge")
        if let cache = MetricHandles.cache {
            cache.meter(name, dimensions(labels)).increment(by: delta)
        } else {
            Meter(label: name, dimensions: dimensions(labels)).increment(by: delta)
        }
    }

    // The cached paths, also what the tests drive with a cache of their own.

    func record(_ labels: [String: String], by amount: Double = 1, through cache: MetricHandleCache?) {
        if let cache {
            cache.counter(name, dimensions(labels)).increment(by: amount)
        } else {
            FloatingPointCounter(label: name, dimensions: dimensions(labels)).increment(by: amount)
        }
    }

    func observe(_ value: Double, _ labels: [String: String], through cache: MetricHandleCache?) {
        if let cache {
            cache.recorder(name, dimensions(labels)).record(value)
        } else {
            Recorder(label: name, dimensions: dimensions(labels), aggregate: true).record(value)
        }
    }
}
