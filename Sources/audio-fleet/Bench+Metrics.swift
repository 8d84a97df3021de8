import ArgumentParser
import FleetTelemetry

/// `audio-fleet bench metrics`: a fixed loop of catalog observations through a bootstrapped
/// backend (the Prometheus one every service has), for callgrind to count.
///
/// Why a flag for the uncached path: the handle cache's saving is read as two instruction counts
/// of the same loop in the same binary, `--uncached` asking the factory on every record as the
/// catalog did before the cache.
struct BenchMetrics: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "metrics",
        abstract: "Record a fixed number of catalog observations (for callgrind: handle cache on or off).")

    @Option(help: "Observations to record (a third each: histogram, labelled histogram, labelled counter).")
    var observations = 30_000

    @Flag(help: "Bootstrap swift-metrics without the catalog's handle cache (the behaviour before it).")
    var uncached = false

    func run() throws {
        let exposition = MetricHandles.bootstrapPrometheus(cached: !uncached)
        benchMetricLoop(observations)
        let text = exposition()
        print("recorded \(observations) observations (\(uncached ? "uncached" : "cached") handles); "
              + "/metrics holds \(text.split(separator: "\n").count) lines")
    }
}

@_silgen_name("af_bench_metric_loop") @inline(never)
func benchMetricLoop(_ observations: Int) {
    let operations = ["segment", "enhance", "denoise"]
    for index in 0..<observations {
        switch index % 3 {
        case 0: MetricCatalog.sttLatency.observe(Double(index % 100) / 50)
        case 1: MetricCatalog.audioProcessingDuration.observe(Double(index % 70) / 100, ["operation": operations[(index / 3) % 3]])
        default: MetricCatalog.sttRequests.increment(["status": index % 7 == 0 ? "error" : "success"])
        }
    }
}
