extension MetricCatalog {
    /// Labels whose values depend on whom a service talks to; pre-creating them would list peers a
    /// service never calls.
    static let relationshipLabels: Set<String> = ["peer_service", "dependency", "target"]

    /// Creates, at zero, every counter and histogram series `service` emits whose label values are
    /// a closed set — Prometheus' advice for instrumentation: a series that exists from the start
    /// lets `rate()` and `increase()` see the very first event, so a dashboard panel has data after
    /// one request instead of two. Gauges are left alone: a zero gauge would claim a value
    /// (a health status of 0 means "not ready") that nobody measured.
    public static func initializeSeries(for service: String) {
        for definition in all where definition.emittedBy.includes(service) && definition.kind != .gauge {
            guard definition.labels.allSatisfy({ $0.allowed != nil && !relationshipLabels.contains($0.name) }) else {
                continue
            }
            for labels in combinations(of: definition.labels) {
                switch definition.kind {
                case .counter: definition.increment(by: 0, labels)
                case .histogram: definition.touch(labels)
                case .gauge: break
                }
            }
        }
    }

    /// Every assignment of allowed values to the labels (one empty assignment for no labels).
    static func combinations(of labels: [MetricDefinition.Label]) -> [[String: String]] {
        labels.reduce([[:]]) { partial, label in
            partial.flatMap { assignment in
                (label.allowed ?? []).sorted().map { value in assignment.merging([label.name: value]) { $1 } }
            }
        }
    }
}
