import Testing
@testable import MonitoringDashboardService

// MARK: Prometheus text format

@Suite("Prometheus text parser")
struct PrometheusTextTests {
    @Test("counters, gauges, HELP/TYPE lines, timestamps and special values")
    func samplesAndComments() {
        let text = """
        # HELP http_server_errors_total HTTP requests answered with an error.
        # TYPE http_server_errors_total counter
        http_server_errors_total{http_route="/asr",error_type="bad_request"} 3
        http_server_errors_total{http_route="/transcribe",error_type="timeout"} 2.5 1700000000000
        # TYPE process_resident_memory_bytes gauge
        process_resident_memory_bytes 3.5e+07
        up_down{v="x"} -Inf
        not_a_number NaN

        """
        let exposition = PrometheusText.parse(text)
        #expect(exposition.types["http_server_errors_total"] == "counter")
        #expect(exposition.types["process_resident_memory_bytes"] == "gauge")
        #expect(exposition.samples.count == 5)
        #expect(exposition.samples[0] == MetricSample(name: "http_server_errors_total",
                                                      labels: ["http_route": "/asr", "error_type": "bad_request"], value: 3))
        #expect(exposition.sum("http_server_errors_total") == 5.5)
        #expect(exposition.sum("http_server_errors_total", matching: ["error_type": "timeout"]) == 2.5)
        #expect(exposition.sum("http_server_errors_total", by: "http_route") == ["/asr": 3, "/transcribe": 2.5])
        #expect(exposition.sum("process_resident_memory_bytes") == 35_000_000)
        #expect(exposition.sum("up_down") == -.infinity)
        #expect(exposition.samples(named: "not_a_number").first?.value.isNaN == true)
        #expect(exposition.sum("missing_metric") == nil)
        #expect(exposition.skippedLines.isEmpty)
    }

    @Test("label values with escaped quotes, backslashes, newlines, commas and braces")
    func escapedLabels() throws {
        let text = #"""
        voice_turns_total{outcome="replied",transcript="she said \"hi\", then {left}",path="C:\\temp",note="two\nlines"} 7
        """#
        let sample = try #require(PrometheusText.parse(text).samples.first)
        #expect(sample.value == 7)
        #expect(sample.labels["outcome"] == "replied")
        #expect(sample.labels["transcript"] == #"she said "hi", then {left}"#)
        #expect(sample.labels["path"] == #"C:\temp"#)
        #expect(sample.labels["note"] == "two\nlines")
    }

    @Test("malformed lines are skipped and reported by line number, the rest still read")
    func malformedLines() {
        let text = """
        good_total 1
        bad name 2
        unterminated{a="x} 3
        no_value{a="x"}
        1starts_with_digit 4
        trailing_garbage 5 6 7
        also_good{a="y",} 8
        """
        let exposition = PrometheusText.parse(text)
        #expect(exposition.samples.map(\.name) == ["good_total", "also_good"])
        #expect(exposition.samples.last?.labels == ["a": "y"])
        #expect(exposition.skippedLines == [2, 3, 4, 5, 6])
    }

    @Test("histogram buckets are read, summed across series and sorted with +Inf last")
    func histogramBuckets() {
        let text = """
        voice_stage_ttfb_seconds_bucket{stage="llm",le="0.5"} 1
        voice_stage_ttfb_seconds_bucket{stage="llm",le="1.0"} 3
        voice_stage_ttfb_seconds_bucket{stage="llm",le="+Inf"} 4
        voice_stage_ttfb_seconds_sum{stage="llm"} 3.2
        voice_stage_ttfb_seconds_count{stage="llm"} 4
        voice_stage_ttfb_seconds_bucket{stage="tts",le="0.5"} 2
        voice_stage_ttfb_seconds_bucket{stage="tts",le="1.0"} 2
        voice_stage_ttfb_seconds_bucket{stage="tts",le="+Inf"} 5
        """
        let exposition = PrometheusText.parse(text)
        #expect(exposition.histogramBuckets("voice_stage_ttfb_seconds", matching: ["stage": "llm"]) == [
            HistogramBucket(upperBound: 0.5, cumulativeCount: 1),
            HistogramBucket(upperBound: 1, cumulativeCount: 3),
            HistogramBucket(upperBound: .infinity, cumulativeCount: 4),
        ])
        #expect(exposition.histogramBuckets("voice_stage_ttfb_seconds").map(\.cumulativeCount) == [3, 5, 9])
        #expect(exposition.sum("voice_stage_ttfb_seconds_count") == 4)
    }
}

// MARK: histogram_quantile

@Suite("Histogram quantile estimation")
struct HistogramQuantileTests {
    /// 10 observations: 2 in (0, 0.1], 4 in (0.1, 0.5], 2 in (0.5, 1], 2 above 1.
    static let buckets = [
        HistogramBucket(upperBound: 0.1, cumulativeCount: 2),
        HistogramBucket(upperBound: 0.5, cumulativeCount: 6),
        HistogramBucket(upperBound: 1, cumulativeCount: 8),
        HistogramBucket(upperBound: .infinity, cumulativeCount: 10),
    ]

    @Test("interpolates inside the bucket holding the rank, as PromQL does", arguments: [
        // q, expected: rank = q * 10, then linear inside the bucket.
        (0.1, 0.05),   // rank 1 of 2 in (0, 0.1]
        (0.2, 0.1),    // rank 2: the top of the first bucket
        (0.5, 0.4),    // rank 5: 0.1 + 0.4 * (3 / 4)
        (0.7, 0.75),   // rank 7: 0.5 + 0.5 * (1 / 2)
        (0.8, 1.0),    // rank 8: the top of (0.5, 1]
    ])
    func interpolation(q: Double, expected: Double) throws {
        let estimate = try #require(HistogramQuantile.estimate(q, buckets: Self.buckets))
        #expect(abs(estimate - expected) < 1e-12, "q=\(q) gave \(estimate)")
    }

    @Test("a rank in the +Inf bucket answers the highest finite bound")
    func infiniteBucket() {
        #expect(HistogramQuantile.estimate(0.95, buckets: Self.buckets) == 1)
        #expect(HistogramQuantile.estimate(1, buckets: Self.buckets) == 1)
    }

    @Test("bucket order does not matter and decreasing counts are made monotonic")
    func orderAndMonotonicity() {
        #expect(HistogramQuantile.estimate(0.5, buckets: Self.buckets.reversed()) == HistogramQuantile.estimate(0.5, buckets: Self.buckets))
        let racing = [
            HistogramBucket(upperBound: 1, cumulativeCount: 4),
            HistogramBucket(upperBound: 2, cumulativeCount: 3),  // scraped mid-update
            HistogramBucket(upperBound: 4, cumulativeCount: 8),
            HistogramBucket(upperBound: .infinity, cumulativeCount: 8),
        ]
        // Counts become 4, 4, 8, 8: rank 6 lies in (2, 4] -> 2 + 2 * (2 / 4) = 3.
        #expect(HistogramQuantile.estimate(0.75, buckets: racing) == 3)
    }

    @Test("nothing to estimate: no observations, no +Inf bucket, q outside 0...1")
    func undefined() {
        let empty = Self.buckets.map { HistogramBucket(upperBound: $0.upperBound, cumulativeCount: 0) }
        #expect(HistogramQuantile.estimate(0.5, buckets: empty) == nil)
        #expect(HistogramQuantile.estimate(0.5, buckets: Array(Self.buckets.dropLast())) == nil)
        #expect(HistogramQuantile.estimate(0.5, buckets: []) == nil)
        #expect(HistogramQuantile.estimate(1.5, buckets: Self.buckets) == nil)
        #expect(HistogramQuantile.estimate(-0.1, buckets: Self.buckets) == nil)
    }
}
