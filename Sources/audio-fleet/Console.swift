import Foundation

/// Writes one line to standard output at once. `print` is block-buffered when output is a pipe
/// (`make run | tee run.log`), which would hold `up`'s progress until the fleet stops.
func say(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}
