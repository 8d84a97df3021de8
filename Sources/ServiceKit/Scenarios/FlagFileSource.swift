public import Logging
public import ServiceLifecycle

/// Keeps a process's scenarios in step with the flag file: the native default.
///
/// It polls: every `interval` it reads the file (a few kilobytes) and applies it when its bytes
/// changed. Polling rather than inotify/kqueue because it works the same on Linux and macOS, on
/// bind mounts and network filesystems where change events do not arrive, and across the atomic
/// rename the controls write with (a watch on the old inode would go quiet); at 0.5 s a change is
/// in effect well within the 2 s the fleet promises.
///
/// A missing file means every scenario is off. A malformed file, or one with a bad flag, is
/// logged naming the flag and counted, and the last good state stays until the file is fixed.
public struct FlagFileSource: Service {
    public let file: FlagFile
    let report: FlagReport
    let interval: Duration

    public init(file: FlagFile, board: ScenarioBoard, logger: Logger, interval: Duration = .milliseconds(500)) {
        self.file = file
        self.report = FlagReport(board: board, logger: logger)
        self.interval = interval
    }

    public func run() async throws {
        var lastSeen: Reading?
        while !Task.isCancelled, !Task.isShuttingDownGracefully {
            lastSeen = await poll(after: lastSeen)
            // Wake early when shutdown starts, so the service group is never kept waiting.
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
        }
    }

    /// What one look at the file found: its bytes (nil when there is no file), or why it could
    /// not be read.
    enum Reading: Equatable {
        case bytes([UInt8]?)
        case unreadable(FlagError)
    }

    /// Looks at the file once and, when it changed since `previous`, applies it or reports why
    /// not. Returns what it saw, for the next look.
    @discardableResult
    func poll(after previous: Reading?) async -> Reading {
        let reading: Reading
        do {
            reading = .bytes(try await file.readBytes())
        } catch {
            // Cancelled while the read waited for its thread: the process is stopping; the file
            // did not fail, so nothing is counted.
            if Task.isCancelled { return previous ?? .unreadable(error) }
            reading = .unreadable(error)
        }
        guard reading != previous else { return reading }
        switch reading {
        case .unreadable(let error):
            report.refuse(error, source: file.path)
        case .bytes(let bytes):
            do {
                let definitions = try bytes.map { bytes throws(FlagError) in try FlagDefinitions.parse(bytes) } ?? .defaults
                report.apply(try definitions.resolved(), source: file.path)
            } catch {
                report.refuse(error, source: file.path)
            }
        }
        return reading
    }
}
