#if canImport(Glibc)
import Glibc
#endif
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
///   still returned about 32 MiB in the bridge after the threshold was fixed).
public enum HeapTuning {
    /// glibc's default starting threshold.
    static let mmapThreshold: Int32 = 128 * 1024
    /// `M_MMAP_THRESHOLD` from <malloc.h>, which the Glibc module does not import.
    private static let mmapThresholdParameter: Int32 = -3

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
    /// mallopt and malloc_trim are declared in <malloc.h>, outside the Glibc module: looked up in libc.
    private static func libcFunction<Function>(_ name: String, as type: Function.Type) -> Function? {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), name) else { return nil }
        return unsafeBitCast(symbol, to: type)
    }
    #endif
}

/// Trims the heap every `interval` while the service runs (see HeapTuning for why).
public struct HeapTrimService: Service {
    let interval: Duration

    public init(interval: Duration = .seconds(30)) {
        self.interval = interval
    }

    public func run() async throws {
        // The pause ends at once on shutdown, so the trim never holds the service group up.
        while !Task.isCancelled, !Task.isShuttingDownGracefully {
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
            guard !Task.isCancelled, !Task.isShuttingDownGracefully else { return }
            HeapTuning.returnFreePages()
        }
    }
}
