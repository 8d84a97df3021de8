import Foundation
import NIOPosix
import SystemPackage

/// The flag file on disk: what the controls (testing-ui, the CLI) edit, what the file source
/// watches, and what flagd serves in the compose stack.
///
/// Writes are atomic (a temporary file in the same folder, renamed over the old one), so a reader
/// — this fleet's poller or flagd's file watcher — sees the old file or the new one, never half of
/// one. That is also why compose mounts the folder, not the file: a rename cannot replace a
/// single-file bind mount.
///
/// Updates are serialised with an exclusive `flock` on the folder. flock locks belong to an open
/// file description, so it orders two tasks of one process (each opens the folder itself) as well
/// as two processes (testing-ui and `audio-fleet scenario` on one machine): no edit is lost to a
/// read-edit-write race. The lock is held for a read and a write of a few kilobytes.
///
/// Every access blocks — on the lock, which another process may hold, on `fsync`, on a slow or
/// network filesystem — so it runs on NIO's thread pool for blocking work, never on one of the
/// few threads of Swift's cooperative pool (one per core) that every request and timer shares.
public struct FlagFile: Sendable {
    public let path: String

    public init(path: String) {
        self.path = path
    }

    var directory: String { (path as NSString).deletingLastPathComponent.isEmpty ? "." : (path as NSString).deletingLastPathComponent }

    /// The definitions in the file; a missing file reads as `.defaults` (everything off).
    public func read() async throws(FlagError) -> FlagDefinitions {
        guard let bytes = try await readBytes() else { return .defaults }
        return try FlagDefinitions.parse(bytes)
    }

    /// The file's bytes, or nil when there is no file.
    func readBytes() async throws(FlagError) -> [UInt8]? {
        try await blocking { () throws(FlagError) in try bytesOnDisk() }
    }

    /// Reads the file, applies `edit`, checks the result with `resolved()` and writes it back,
    /// atomically and under the lock; returns what was written. Nothing is written if the edit or
    /// the check throws.
    @discardableResult
    public func update(_ edit: @escaping @Sendable (inout FlagDefinitions) throws(FlagError) -> Void) async throws(FlagError)
        -> FlagDefinitions
    {
        try await blocking { () throws(FlagError) in
            try locked { () throws(FlagError) -> FlagDefinitions in
                var definitions = try bytesOnDisk().map { bytes throws(FlagError) in try FlagDefinitions.parse(bytes) }
                    ?? .defaults
                try edit(&definitions)
                _ = try definitions.resolved()
                try replace(with: definitions.encoded())
                return definitions
            }
        }
    }

    /// Replaces the whole file with `definitions` (after checking them): how a malformed file,
    /// which `update` refuses to edit, is put right.
    public func write(_ definitions: FlagDefinitions) async throws(FlagError) {
        _ = try definitions.resolved()
        try await blocking { () throws(FlagError) in
            try locked { () throws(FlagError) in try replace(with: definitions.encoded()) }
        }
    }

    // MARK: Blocking work, lock and atomic write

    /// Runs `work` on NIO's thread pool for blocking IO and hands back its result or its error.
    private func blocking<T: Sendable>(_ work: @escaping @Sendable () throws(FlagError) -> T) async throws(FlagError) -> T {
        do {
            return try await NIOThreadPool.singleton.runIfActive { try work() }
        } catch let error as FlagError {
            throw error
        } catch {
            throw FlagError(flag: "file", reason: "malformed_file", message: "the flag file \(path) was not reached: \(error)")
        }
    }

    private func bytesOnDisk() throws(FlagError) -> [UInt8]? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        do {
            return Array(try Data(contentsOf: URL(fileURLWithPath: path)))
        } catch {
            throw FlagError(flag: "file", reason: "malformed_file", message: "the flag file \(path) cannot be read: \(error.localizedDescription)")
        }
    }

    private func locked<T>(_ body: () throws(FlagError) -> T) throws(FlagError) -> T {
        try createDirectory()
        let descriptor = open(directory, O_RDONLY)
        guard descriptor >= 0 else { throw failure("open its folder \(directory) to lock it") }
        defer { close(descriptor) }
        guard flock(descriptor, LOCK_EX) == 0 else { throw failure("lock its folder \(directory)") }
        defer { flock(descriptor, LOCK_UN) }
        return try body()
    }

    private func createDirectory() throws(FlagError) {
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw FlagError(flag: "file", reason: "malformed_file",
                            message: "cannot create the flag folder \(directory): \(error.localizedDescription)")
        }
    }

    private func replace(with bytes: [UInt8]) throws(FlagError) {
        let temporary = "\(directory)/.\((path as NSString).lastPathComponent).\(getpid()).\(UInt32.random(in: 0...UInt32.max)).tmp"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL, 0o644)
        guard descriptor >= 0 else { throw failure("create \(temporary)") }
        // Readable by everyone whatever the umask: in compose, flagd reads what testing-ui writes
        // and runs as another user.
        fchmod(descriptor, 0o644)
        let written = (try? FileDescriptor(rawValue: descriptor).writeAll(bytes)) ?? -1
        let synced = fsync(descriptor) == 0
        close(descriptor)
        guard written == bytes.count, synced, rename(temporary, path) == 0 else {
            let error = failure("write \(path)")
            unlink(temporary)
            throw error
        }
    }

    private func failure(_ action: String) -> FlagError {
        FlagError(flag: "file", reason: "malformed_file", message: "cannot \(action): \(String(cString: strerror(errno)))")
    }
}
