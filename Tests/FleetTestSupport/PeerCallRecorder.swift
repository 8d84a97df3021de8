/// The order in which several fakes were called: give the same recorder to each, and each notes
/// its peer name (`audio-processor`, `stt`, ...) as a call arrives, before it answers or fails.
public actor PeerCallRecorder {
    public private(set) var calls: [String] = []

    public init() {}

    public func record(_ peer: String) {
        calls.append(peer)
    }
}
