extension Array {
    /// The same elements in an allocation of exactly their count, for an array that was built by
    /// appending (which grows its storage by doubling, up to twice what it holds) and is then kept
    /// for long: a turn's audio in the turn log, a cached burst of packets.
    /// `Array(self[...])` would not do: a slice of the whole array hands back the same storage.
    public func compacted() -> [Element] {
        guard capacity > count else { return self }
        return [Element](unsafeUninitializedCapacity: count) { buffer, initialized in
            initialized = buffer.initialize(fromContentsOf: self)
        }
    }
}
