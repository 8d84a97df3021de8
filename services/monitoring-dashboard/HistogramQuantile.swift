/// One cumulative bucket of a Prometheus histogram: how many observations were <= `upperBound`.
public struct HistogramBucket: Sendable, Equatable {
    public var upperBound: Double
    public var cumulativeCount: Double

    public init(upperBound: Double, cumulativeCount: Double) {
        self.upperBound = upperBound
        self.cumulativeCount = cumulativeCount
    }
}

/// PromQL's `histogram_quantile`, so the dashboard's medians and p95s agree with what Grafana
/// shows for the same buckets.
///
/// The quantile's rank is located in the bucket that contains it and interpolated linearly inside
/// that bucket, assuming observations spread evenly across it. As in PromQL: the lowest bucket
/// starts at 0 (when its bound is positive); a rank that falls in the `+Inf` bucket answers the
/// highest finite bound; counts that decrease (a scrape racing an update) are made monotonic.
public enum HistogramQuantile {
    /// The `q`-quantile (0...1) of `buckets`, or nil when there is nothing to estimate from:
    /// no `+Inf` bucket, no observations, fewer than two buckets, or `q` outside 0...1.
    public static func estimate(_ q: Double, buckets: [HistogramBucket]) -> Double? {
        guard (0...1).contains(q) else { return nil }
        var sorted = buckets.sorted { $0.upperBound < $1.upperBound }
        guard sorted.count >= 2, sorted.last?.upperBound == .infinity else { return nil }
        for index in sorted.indices.dropFirst() where sorted[index].cumulativeCount < sorted[index - 1].cumulativeCount {
            sorted[index].cumulativeCount = sorted[index - 1].cumulativeCount
        }
        let total = sorted[sorted.count - 1].cumulativeCount
        guard total > 0 else { return nil }

        let rank = q * total
        guard let position = sorted.firstIndex(where: { $0.cumulativeCount >= rank }) else { return nil }
        if position == sorted.count - 1 { return sorted[sorted.count - 2].upperBound }
        let bucket = sorted[position]
        if position == 0, bucket.upperBound <= 0 { return bucket.upperBound }

        let lowerBound = position == 0 ? 0 : sorted[position - 1].upperBound
        let countBelow = position == 0 ? 0 : sorted[position - 1].cumulativeCount
        let countInBucket = bucket.cumulativeCount - countBelow
        guard countInBucket > 0 else { return bucket.upperBound }
        return lowerBound + (bucket.upperBound - lowerBound) * ((rank - countBelow) / countInBucket)
    }
}
