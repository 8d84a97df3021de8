import Foundation

/// How long a stubbed model "takes": log-normal, described the way people quote latency — a
/// median and a p99 — and scaled by the work in hand (seconds of audio, characters, tokens).
///
/// A log-normal with median m and p99 q has mu = ln m and sigma = ln(q/m) / z(0.99), so the two
/// quoted numbers are exactly the distribution's quantiles. Draws are deterministic under a seed.
public struct LatencyModel: Sendable, Equatable {
    /// Fixed cost per call, in seconds (median).
    public var baseMedian: Double
    /// Fixed cost per call, in seconds (p99).
    public var baseP99: Double
    /// Extra seconds per unit of work (per audio second, character or token), scaled by the same draw.
    public var perUnit: Double

    /// z-score of the 99th percentile of a standard normal.
    static let z99 = 2.326_347_874

    public init(median: Double, p99: Double, perUnit: Double = 0) {
        precondition(median > 0 && p99 >= median, "a latency model needs 0 < median <= p99")
        self.baseMedian = median
        self.baseP99 = p99
        self.perUnit = perUnit
    }

    var mu: Double { log(baseMedian) }
    var sigma: Double { log(baseP99 / baseMedian) / Self.z99 }

    /// One draw, in seconds, for `units` of work.
    public func sample(units: Double = 0, using generator: inout SeededGenerator) -> Double {
        let factor = exp(sigma * generator.nextGaussian())  // median 1, the model's spread
        return (baseMedian + perUnit * max(units, 0)) * factor
    }

    /// The q-quantile (0 < q < 1) for `units` of work: what the sampled distribution converges to.
    public func quantile(_ q: Double, units: Double = 0) -> Double {
        (baseMedian + perUnit * max(units, 0)) * exp(sigma * Self.normalQuantile(q))
    }

    /// Inverse of the standard normal CDF (Acklam's rational approximation, |error| < 1.2e-9).
    static func normalQuantile(_ p: Double) -> Double {
        let a = [-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02,
                 1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00]
        let b = [-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02,
                 6.680131188771972e+01, -1.328068155288572e+01]
        let c = [-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00,
                 -2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00]
        let d = [7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00, 3.754408661907416e+00]
        let low = 0.02425
        if p < low {
            let q = (-2 * log(p)).squareRoot()
            return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5])
                / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1)
        }
        if p > 1 - low { return -normalQuantile(1 - p) }
        let q = p - 0.5, r = q * q
        return (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q
            / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1)
    }
}

/// A latency model bound to its own seeded stream, safe to share between concurrent requests.
public actor LatencySource {
    private var generator: SeededGenerator
    public nonisolated let model: LatencyModel
    /// Multiplies every draw; LATENCY_SCALE lets tests and demos run the fleet faster or slower.
    public nonisolated let scale: Double

    public init(model: LatencyModel, seed: UInt64, stream: String, scale: Double = 1) {
        self.model = model
        self.generator = SeededGenerator(seed: seed, stream: stream)
        self.scale = scale
    }

    /// Draws a latency for `units` of work, in seconds.
    public func next(units: Double = 0) -> Double {
        model.sample(units: units, using: &generator) * scale
    }

    /// Draws a latency and sleeps for it; returns the seconds slept.
    @discardableResult
    public nonisolated func simulate(units: Double = 0) async throws -> Double {
        let seconds = await next(units: units)
        try await Task.sleep(for: .seconds(seconds))
        return seconds
    }
}
