import Foundation
public import ServiceLifecycle

/// Samples this process's resident memory and CPU time every few seconds from /proc, so the
/// dashboards' resource panels work the same natively and in containers.
public struct ProcessMetricsService: Service {
    let interval: Duration

    public init(interval: Duration = .seconds(5)) {
        self.interval = interval
    }

    public func run() async throws {
        var reportedCPU = 0.0
        while !Task.isCancelledOrShuttingDown {
            if let sample = ProcessSample.current() {
                MetricCatalog.residentMemory.set(Double(sample.residentBytes))
                if sample.cpuSeconds > reportedCPU {
                    MetricCatalog.cpuSeconds.increment(by: sample.cpuSeconds - reportedCPU)
                    reportedCPU = sample.cpuSeconds
                }
            }
            // Wake early when shutdown starts, so the service group is never kept waiting.
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
        }
    }
}

extension Task where Success == Never, Failure == Never {
    /// True once the service group asked us to stop, or the task was cancelled.
    static var isCancelledOrShuttingDown: Bool { isCancelled || isShuttingDownGracefully }
}

/// One reading of /proc/self: resident set size and user+system CPU seconds.
public struct ProcessSample: Sendable {
    public let residentBytes: Int
    public let cpuSeconds: Double

    public static func current() -> ProcessSample? {
        guard let statm = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8),
              let stat = try? String(contentsOfFile: "/proc/self/stat", encoding: .utf8)
        else { return nil }
        let pageSize = sysconf(Int32(_SC_PAGESIZE))
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        guard let residentPages = statm.split(separator: " ").dropFirst().first.flatMap({ Int($0) }),
              // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
              let afterName = stat.split(separator: ")").last?.split(separator: " "),
              afterName.count > 13, let utime = Double(afterName[11]), let stime = Double(afterName[12])
        else { return nil }
        return ProcessSample(residentBytes: residentPages * pageSize, cpuSeconds: (utime + stime) / ticks)
    }
}
