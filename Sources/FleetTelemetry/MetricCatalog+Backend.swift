/// Metrics of the monitoring dashboard's embedded OTLP backend: what the services export to it,
/// and how much of its bound the store uses. With no collector, these say whether telemetry is
/// arriving at all.
extension MetricCatalog {
    public static let otlpSignals = ["traces", "metrics", "logs"]

    public static let otlpReceivedItems = MetricDefinition(
        "otlp_received_items_total", .counter,
        help: "Spans, metric points and log records the embedded OTLP backend received, by signal and outcome: "
            + "accepted (stored) or rejected (malformed, or the store could not take them).",
        labels: [.init("signal", allowed: otlpSignals), .init("outcome", allowed: ["accepted", "rejected"])],
        emittedBy: .services(["monitoring-dashboard"]))
    public static let telemetryStoreBytes = MetricDefinition(
        "telemetry_store_bytes", .gauge,
        help: "Size on disk of the embedded OTLP backend's SQLite store (the file and its WAL).",
        emittedBy: .services(["monitoring-dashboard"]))

    static let backend = [otlpReceivedItems, telemetryStoreBytes]
}
