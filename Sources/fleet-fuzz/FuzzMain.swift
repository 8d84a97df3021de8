import FleetFuzzing

#if FUZZING
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// FLEET_FUZZ_ENTRY=ogg-opus|wav|multipart pins every input to one reader (mk/fuzz.mk gives each
/// its own run and corpus); unset, the input's first byte chooses, as in the regression tests.
private let pinnedEntryPoint: FuzzEntryPoint? = getenv("FLEET_FUZZ_ENTRY").flatMap {
    FuzzEntryPoint(name: String(cString: $0))
}

/// libFuzzer's driver (in the runtime -sanitize=fuzzer links): parses libFuzzer's flags and runs.
@_silgen_name("LLVMFuzzerRunDriver")
private func runFuzzerDriver(
    _ argc: UnsafeMutablePointer<Int32>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32
) -> Int32

/// The program's `main`: SwiftPM links an executable target's `main` to `<module>_main` (so tests
/// can import executables), which would hide libFuzzer's own `main`, so this one starts the driver.
@_cdecl("FleetFuzz_main")
public func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    var count = argc
    var arguments = argv
    return runFuzzerDriver(&count, &arguments, fuzzOneInput)
}

// Built by mk/fuzz.mk with -sanitize=fuzzer,address and -DFUZZING: libFuzzer calls this for every
// input it tries. A broken budget is a crash, so libFuzzer keeps the input.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    var input = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    if let pinnedEntryPoint, !input.isEmpty { input[0] = pinnedEntryPoint.rawValue }
    let outcome = FuzzEntryPoint.run(input)
    if !outcome.violations.isEmpty {
        fatalError("budget breach: \(outcome)")
    }
    return 0
}
#else
import Foundation

/// Without libFuzzer (the normal build), the target replays inputs instead: `fleet-fuzz FILE...`
/// prints what each one did, which is how a crash libFuzzer reports is looked at, and exits 1 if
/// any broke the budget.
@main
enum FleetFuzzReplay {
    static func main() throws {
        var broken = false
        for path in CommandLine.arguments.dropFirst() {
            let input = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
            let outcome = FuzzEntryPoint.run(input)
            print("\(path): \(outcome)")
            broken = broken || !outcome.violations.isEmpty
        }
        if broken { exit(1) }
    }
}
#endif
