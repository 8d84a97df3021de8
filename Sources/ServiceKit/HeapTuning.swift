#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Logging
public import ServiceLifecycle

/// Keeps glibc's allocator from holding freed memory that RSS then counts, in every service.
///
/// The services allocate and free audio buffers of 0.1 to 2 MB (synthesised phrases, closed
/// segments, their Ogg files, decoded replies) from many tasks at once. glibc starts by giving such
/// buffers their own mappings, but each time one is freed it raises its mmap threshold to that size
/// (the dynamic threshold), so from then on they are carved out of the malloc arenas; their
/// lifetimes interleave, and the freed holes between them stay resident. At 50 speakers the
/// bridge's RSS climbed about 4 MiB a minute (+18 % in a 10-minute soak, tts-bark +10 %) while the
/// bytes it had in use stayed flat (measured with malloc_stats; malloc_trim gave back 42 MiB at
/// once). So:
/// - a fixed threshold keeps large buffers in mappings of their own, returned to the kernel when
///   freed (fixing it also switches the dynamic adjustment off);
/// - `HeapTrimService` hands the arenas' free pages of small objects back every 30 s (a trim
///   still returned about 32 MiB in the bridge after the threshold was fixed);
/// - at most `arenaLimit` malloc arenas: glibc gives each thread that meets a locked arena a new
///   one, up to 8 per core, each a 64 MiB reservation whose freed holes stay resident; a service
///   ran 8-11 of them (one per thread) with 1.5-24 MiB resident in all. Only as many threads as
///   cores run at once, so more arenas buy little parallelism, and their holes add up. Measured,
///   the cap saves 0.5-1 MiB per idle service; at 100 speakers the bridge's heap was live audio,
///   not holes (204 of 217 MB in use), so there it changed nothing.
///   `audio-fleet up` and the image set MALLOC_ARENA_MAX for glibc to apply from the first malloc;
///   `limitArenas()` covers a service started some other way.
/// - code and read-only pages touched only while starting are let go once it has settled
///   (`releaseStartupPages`, see there; it covers the constant data the linker placed in a
///   writable segment too, `releaseConstantDataPages`).
public enum HeapTuning {
    /// glibc's default starting threshold.
    static let mmapThreshold: Int32 = 128 * 1024
    /// `M_MMAP_THRESHOLD` from <malloc.h>, which the Glibc module does not import.
    private static let mmapThresholdParameter: Int32 = -3
    /// `M_ARENA_MAX` from <malloc.h>.
    private static let arenaMaxParameter: Int32 = -8
    /// Malloc arenas per service: the two cores of the machine the fleet is sized for (and of its
    /// containers' `cpus`); MALLOC_ARENA_MAX in the environment wins.
    public static let arenaLimit = 2

    /// MALLOC_ARENA_MAX when it is a positive number, else `arenaLimit`.
    static func configuredArenaLimit(environment: [String: String]) -> Int32 {
        environment["MALLOC_ARENA_MAX"].flatMap(Int32.init).flatMap { $0 > 0 ? $0 : nil } ?? Int32(arenaLimit)
    }

    /// Caps this process's malloc arenas at MALLOC_ARENA_MAX, else `arenaLimit`; true when the
    /// allocator took it. Arenas that already exist stay, so this runs first thing.
    @discardableResult
    static func limitArenas(environment: [String: String] = ProcessInfo.processInfo.environment) -> Bool {
        #if canImport(Glibc)
        let limit = configuredArenaLimit(environment: environment)
        typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
        guard let mallopt = libcFunction("mallopt", as: Mallopt.self) else { return false }
        return mallopt(arenaMaxParameter, limit) == 1
        #else
        return false
        #endif
    }

    /// Applies the fixed threshold to this process; true when the allocator took it. Safe to call
    /// more than once (each call sets the same value).
    @discardableResult
    public static func keepLargeBuffersOutOfArenas() -> Bool {
        #if canImport(Glibc)
        typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
        guard let mallopt = libcFunction("mallopt", as: Mallopt.self) else { return false }
        return mallopt(mmapThresholdParameter, mmapThreshold) == 1
        #else
        return false
        #endif
    }

    /// Returns the arenas' free pages to the kernel; true when glibc released any.
    @discardableResult
    public static func returnFreePages() -> Bool {
        #if canImport(Glibc)
        typealias MallocTrim = @convention(c) (Int) -> Int32
        guard let trim = libcFunction("malloc_trim", as: MallocTrim.self) else { return false }
        return trim(0) == 1
        #else
        return false
        #endif
    }

    #if canImport(Glibc)
    /// mallopt and malloc_trim are declared in <malloc.h> (getauxval in <sys/auxv.h>), outside the
    /// Glibc module: looked up in libc.
    static func libcFunction<Function>(_ name: String, as type: Function.Type) -> Function? {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), name) else { return nil }
        return unsafeBitCast(symbol, to: type)
    }
    #endif
}

/// Trims the heap every `interval` while the service runs, and after the first interval (start-up
/// over: settings read, telemetry and the server up, the first probes answered) lets go of the
/// pages only start-up used (see HeapTuning for why).
public struct HeapTrimService: Service {
    let interval: Duration
    let releasesStartupPages: Bool

    public init(interval: Duration = .seconds(30), releasesStartupPages: Bool = true) {
        self.interval = interval
        self.releasesStartupPages = releasesStartupPages
    }

    public func run() async throws {
        var first = true
        // The pause ends at once on shutdown, so the trim never holds the service group up.
        while !Task.isCancelled, !Task.isShuttingDownGracefully {
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
            guard !Task.isCancelled, !Task.isShuttingDownGracefully else { return }
            HeapTuning.returnFreePages()
            if first, releasesStartupPages { HeapTuning.releaseStartupPages() }
            first = false
        }
    }
}
