import Foundation
public import Hummingbird
public import ServiceKit

/// One poll's traffic of one service: what the charts draw a point of. A value is null when the
/// service could not be read, or on its first poll (a rate needs two).
public struct TrafficPoint: Codable, Sendable, Equatable {
    /// Seconds since 1970.
    public var at: Double
    @NullWhenAbsent public var requestsPerSecond: Double?
    @NullWhenAbsent public var errorsPerSecond: Double?
    /// Mean duration of the requests answered since the previous poll; null when there were none.
    @NullWhenAbsent public var meanDurationSeconds: Double?

    public init(at: Double, requestsPerSecond: Double?, errorsPerSecond: Double?, meanDurationSeconds: Double?) {
        self.at = at
        self.requestsPerSecond = requestsPerSecond
        self.errorsPerSecond = errorsPerSecond
        self.meanDurationSeconds = meanDurationSeconds
    }
}

/// GET /api/history: every service's traffic over the last 15 minutes, oldest point first.
public struct TrafficHistory: Codable, Sendable, Equatable, ResponseEncodable {
    /// One service's points, oldest first.
    public struct Series: Codable, Sendable, Equatable {
        public var service: String
        public var points: [TrafficPoint]
    }

    public var windowSeconds: Double
    public var pollIntervalSeconds: Double
    /// In the order the services are polled.
    public var services: [Series]

    public func points(of service: String) -> [TrafficPoint] {
        services.first { $0.service == service }?.points ?? []
    }
}

/// The traffic points of the last `window`, per service, kept by the store from each poll — the
/// dashboard's own short memory, so the charts work without Prometheus. Bounded twice: by age,
/// and by count (one point per poll over the window, never more than `maxPoints`), so a very
/// short poll interval cannot grow it without limit.
struct TrafficRecorder: Sendable {
    static let window: Duration = .seconds(15 * 60)
    /// 15 minutes at one poll a second.
    static let maxPoints = 900

    let order: [String]
    let capacity: Int
    private var series: [String: [TrafficPoint]] = [:]

    init(services: [String], pollInterval: Duration) {
        order = services
        let perWindow = Int((Self.window.seconds / max(pollInterval.seconds, 0.001)).rounded(.up)) + 1
        capacity = min(perWindow, Self.maxPoints)
    }

    /// Adds one poll's point of every service in `metrics` (a service polled but not read gets a
    /// point of nulls, so its chart shows the gap) and forgets what fell out of the window.
    mutating func record(_ metrics: FleetMetrics, polled services: [String], at date: Date) {
        let now = date.timeIntervalSince1970
        for service in services {
            let point = TrafficPoint(at: now, requestsPerSecond: metrics.requestsPerSecond[service],
                                     errorsPerSecond: metrics.errorsPerSecond[service],
                                     meanDurationSeconds: metrics.meanDurationSeconds[service])
            series[service, default: []].append(point)
        }
        let oldest = now - Self.window.seconds
        for service in series.keys {
            series[service]?.removeAll { $0.at < oldest }
            if let count = series[service]?.count, count > capacity {
                series[service]?.removeFirst(count - capacity)
            }
        }
    }

    /// The points still inside the window at `date`.
    func history(at date: Date, pollInterval: Duration) -> TrafficHistory {
        let oldest = date.timeIntervalSince1970 - Self.window.seconds
        let extra = series.keys.filter { !order.contains($0) }.sorted()
        return TrafficHistory(
            windowSeconds: Self.window.seconds, pollIntervalSeconds: pollInterval.seconds,
            services: (order + extra).map { service in
                .init(service: service, points: (series[service] ?? []).filter { $0.at >= oldest })
            })
    }
}
