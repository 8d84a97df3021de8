import ServiceKit
import Testing

@Suite("Latency model")
struct LatencyModelTests {
    @Test("quantiles are the quoted median and p99")
    func quotedQuantiles() {
        let model = LatencyModel(median: 0.25, p99: 0.9)
        #expect(abs(model.quantile(0.5) - 0.25) < 1e-9)
        #expect(abs(model.quantile(0.99) - 0.9) < 1e-6)
    }

    @Test("sampled quantiles under a fixed seed match the model")
    func sampledQuantiles() {
        let model = LatencyModel(median: 0.25, p99: 0.9, perUnit: 0.1)
        var generator = SeededGenerator(seed: 7)
        let draws = (0..<20_000).map { _ in model.sample(units: 3, using: &generator) }.sorted()
        let median = draws[draws.count / 2], p99 = draws[Int(Double(draws.count) * 0.99)]
        #expect(abs(median - model.quantile(0.5, units: 3)) / model.quantile(0.5, units: 3) < 0.03)
        #expect(abs(p99 - model.quantile(0.99, units: 3)) / model.quantile(0.99, units: 3) < 0.08)
    }

    @Test("the same seed replays the same draws; another seed does not")
    func deterministic() {
        let model = LatencyModel(median: 0.1, p99: 0.5)
        var a = SeededGenerator(seed: 42, stream: "stt"), b = SeededGenerator(seed: 42, stream: "stt")
        var c = SeededGenerator(seed: 42, stream: "tts")
        let first = (0..<5).map { _ in model.sample(using: &a) }
        #expect(first == (0..<5).map { _ in model.sample(using: &b) })
        #expect(first != (0..<5).map { _ in model.sample(using: &c) })
    }

    @Test("more work takes longer")
    func scalesWithUnits() {
        let model = LatencyModel(median: 0.25, p99: 0.6, perUnit: 0.12)
        #expect(model.quantile(0.5, units: 10) > model.quantile(0.5, units: 1))
        #expect(abs(model.quantile(0.5, units: 10) - (0.25 + 1.2)) < 1e-9)
    }
}
