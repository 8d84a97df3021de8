import Foundation

/// POST /v1/metrics as OTLP/JSON: gauges, sums and histograms (count and sum only; buckets are
/// left to Prometheus). Exponential histograms and summaries are read the same way.
struct OTLPMetricsRequest: Decodable, Sendable {
    var resourceMetrics: [ResourceMetrics]?

    struct ResourceMetrics: Decodable, Sendable {
        var resource: OTLPResource?
        var scopeMetrics: [ScopeMetrics]?
    }

    struct ScopeMetrics: Decodable, Sendable {
        var metrics: [Metric]?
    }

    struct Metric: Decodable, Sendable {
        var name: String?
        var gauge: DataPoints<NumberPoint>?
        var sum: DataPoints<NumberPoint>?
        var histogram: DataPoints<HistogramPoint>?
        var exponentialHistogram: DataPoints<HistogramPoint>?
        var summary: DataPoints<HistogramPoint>?
    }

    struct DataPoints<Point: Decodable & Sendable>: Decodable, Sendable {
        var dataPoints: [Point]?
    }

    struct NumberPoint: Decodable, Sendable {
        var attributes: [OTLPKeyValue]?
        var timeUnixNano: OTLPInt64?
        var asDouble: OTLPDouble?
        var asInt: OTLPInt64?
    }

    struct HistogramPoint: Decodable, Sendable {
        var attributes: [OTLPKeyValue]?
        var timeUnixNano: OTLPInt64?
        var count: OTLPInt64?
        var sum: OTLPDouble?
    }

    /// Every data point as stored.
    func storedPoints(now: Int64) -> [StoredMetricPoint] {
        var points: [StoredMetricPoint] = []
        for resourceMetrics in resourceMetrics ?? [] {
            let service = (resourceMetrics.resource ?? OTLPResource()).serviceName
            for metric in (resourceMetrics.scopeMetrics ?? []).flatMap({ $0.metrics ?? [] }) {
                let name = metric.name ?? ""
                func time(_ value: OTLPInt64?) -> Int64 { value.map(\.value).flatMap { $0 > 0 ? $0 : nil } ?? now }
                for (kind, numbers) in [("gauge", metric.gauge), ("sum", metric.sum)] {
                    for point in numbers?.dataPoints ?? [] {
                        let value = point.asDouble?.value ?? point.asInt.map { Double($0.value) } ?? 0
                        points.append(StoredMetricPoint(
                            name: name, service: service, kind: kind, timeUnixNano: time(point.timeUnixNano),
                            value: value, count: nil, attributes: (point.attributes ?? []).texts))
                    }
                }
                for (kind, histograms) in [("histogram", metric.histogram),
                                           ("exponential_histogram", metric.exponentialHistogram),
                                           ("summary", metric.summary)] {
                    for point in histograms?.dataPoints ?? [] {
                        points.append(StoredMetricPoint(
                            name: name, service: service, kind: kind, timeUnixNano: time(point.timeUnixNano),
                            value: point.sum?.value ?? 0, count: point.count?.value ?? 0,
                            attributes: (point.attributes ?? []).texts))
                    }
                }
            }
        }
        return points
    }
}

/// One metric data point as kept: a gauge's or a sum's value, or a histogram's sum and count.
struct StoredMetricPoint: Sendable, Equatable {
    var name: String
    var service: String
    /// gauge, sum, histogram, exponential_histogram or summary.
    var kind: String
    var timeUnixNano: Int64
    /// The value; a histogram's sum.
    var value: Double
    /// A histogram's count; nil for gauges and sums.
    var count: Int64?
    var attributes: [String: String]

    /// One number per time series (service, name, attributes), the same in every process:
    /// 64-bit FNV-1a over the three, attributes in key order.
    var series: Int64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        let text = ([service, name] + attributes.sorted { $0.key < $1.key }.flatMap { [$0.key, $0.value] })
            .joined(separator: "\u{1F}")
        for byte in text.utf8 {
            hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3
        }
        return Int64(bitPattern: hash)
    }
}
