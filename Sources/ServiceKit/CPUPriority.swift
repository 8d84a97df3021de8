public import FleetTelemetry
import Foundation
public import ServiceLifecycle
#if canImport(Glibc)
import Glibc
#endif

/// How readily a service yields the CPU when the machine is full: the voice bridge not at all,
/// the other eight (speech synthesis and recognition, the model stand-ins, the pages) at nice 10.
///
/// Why: the bridge is the fleet's one hard real-time process. Every speaker's 20 ms frame and every
/// reply frame is due on time, while a reply synthesised a few milliseconds later only starts a few
/// milliseconds later. Natively all nine share the machine's cores; at 200 speakers on 2 cores,
/// tts-bark synthesising several replies at once took both cores for a second at a time, and the
/// bridge's threads waited past their slots: 34-79 starved playout slots in 30 s. With the others at
/// nice 10 the scheduler runs the bridge first: 0 or 1 (docs/performance.md, Capacity, fix 8). On an
/// idle machine nice changes nothing.
///
/// Linux keeps a nice value per thread, and a new thread takes its creator's, so every thread the
/// process has is set at start. libdispatch, though, sets some of the worker threads it makes
/// later (the overcommit ones) back to nice 0 where it may (as root), so `Keeper` sets them again
/// every second. `SERVICE_NICE` (0...19) overrides the default; an unprivileged process cannot go
/// below 0. In the compose stack each service is a cgroup of its own with a `cpus` limit, which
/// already keeps one service from taking both cores.
public enum CPUPriority {
    public static let variable = "SERVICE_NICE"

    public static func defaultNice(for member: FleetMember) -> Int32 {
        member == .discord ? 0 : 10
    }

    /// SERVICE_NICE when set (`raw`: 0...19; anything else stops start-up with a message), else the default.
    public static func configuredNice(for member: FleetMember, raw: String?) throws -> Int32 {
        guard let raw else { return defaultNice(for: member) }
        guard let value = Int32(raw.trimmingCharacters(in: .whitespaces)), (0...19).contains(value) else {
            throw SettingsError(variable: variable, value: raw, expected: "a nice value from 0 to 19")
        }
        return value
    }

    /// Sets every thread of this process to `nice`; true when each one took it.
    @discardableResult
    public static func apply(_ nice: Int32) -> Bool {
        let threads = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task")) ?? []
        var applied = !threads.isEmpty
        for thread in threads.compactMap(id_t.init) where !set(thread: thread, to: nice) {
            applied = false
        }
        return applied
    }

    /// Linux's setpriority on PRIO_PROCESS with a thread id sets that one thread (0: the caller).
    private static func set(thread: id_t, to nice: Int32) -> Bool {
        setpriority(__priority_which_t(PRIO_PROCESS.rawValue), thread, nice) == 0
    }

    /// Sets the process's threads to `nice` again every second: new dispatch workers, see above.
    public struct Keeper: Service {
        let nice: Int32

        public init(nice: Int32) { self.nice = nice }

        public func run() async throws {
            while !Task.isCancelled, !Task.isShuttingDownGracefully {
                try? await cancelWhenGracefulShutdown { try await Task.sleep(for: .seconds(1)) }
                apply(nice)
            }
        }
    }

    /// Sets the calling thread alone to `nice` (a thread of the service's own that must not compete
    /// with its real-time work); true when it took it.
    @discardableResult
    public static func applyToCurrentThread(_ nice: Int32) -> Bool {
        set(thread: 0, to: nice)
    }

    /// This thread's nice value (getpriority cannot fail for the calling thread).
    public static var current: Int32 {
        getpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0)
    }
}
