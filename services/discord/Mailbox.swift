/// Something a speaker is about to say: a phrase it picked itself, or one a person asked for
/// through POST /voice/speak (which already handed out the turn id).
struct Utterance: Sendable {
    var text: String
    var turnID: Int?
}

/// The channel asking a speaker to talk over the reply that is playing: start at `at` (on the
/// pacing clock), cutting `reply` short.
struct BargeIn: Sendable {
    let at: Duration
    let reply: PlaybackInterrupt
}

/// What wakes a waiting speaker.
enum SpeakerCall: Sendable {
    case request(Utterance)
    case bargeIn(BargeIn)
}

/// Where a speaker's next call comes from: requests queue here, the channel's barge-in calls
/// overtake them, and a waiting speaker wakes for either at once or gives up after its quiet
/// interval to pick a phrase of its own.
///
/// When the speaker leaves, the mailbox is closed: what was queued is handed back, and a request
/// that arrives later (one already on its way, or the one the speaker had in hand) is forwarded,
/// so no request waits forever for a speaker who is gone.
actor Mailbox {
    typealias Forward = @Sendable (Utterance) async -> Void

    private var pending: [Utterance] = []
    /// Only the newest barge-in matters: an older one's reply has ended or been cut already.
    private var bargeIn: BargeIn?
    private var waiter: (generation: Int, bargeInOnly: Bool, continuation: CheckedContinuation<SpeakerCall?, Never>)?
    private var generation = 0
    /// Set once the speaker has left: where requests go instead.
    private var forward: Forward?

    func deliver(_ utterance: Utterance) async {
        if let forward {
            await forward(utterance)
            return
        }
        if let waiter, !waiter.bargeInOnly {
            self.waiter = nil
            waiter.continuation.resume(returning: .request(utterance))
        } else {
            pending.append(utterance)
        }
    }

    /// The speaker is leaving with a request it had taken but not yet turned into a voice turn.
    /// A phrase of its own (no turn id) is simply dropped: nobody is waiting for it.
    func giveBack(_ utterance: Utterance) async {
        guard utterance.turnID != nil else { return }
        if let forward {
            await forward(utterance)
        } else {
            pending.insert(utterance, at: 0)
        }
    }

    /// The speaker left: returns the requests still queued, and sends every later one to `forward`.
    func close(forwardingTo forward: @escaping Forward) -> [Utterance] {
        self.forward = forward
        defer { pending.removeAll() }
        return pending
    }

    func callToBargeIn(_ call: BargeIn) {
        if let waiter {
            self.waiter = nil
            waiter.continuation.resume(returning: .bargeIn(call))
        } else {
            bargeIn = call
        }
    }

    /// The next call, or nil once `timeout` passes without one (never, when nil) or the task is
    /// cancelled.
    func next(waitingAtMost timeout: Duration?) async -> SpeakerCall? {
        if let call = bargeIn {
            bargeIn = nil
            return .bargeIn(call)
        }
        if !pending.isEmpty { return .request(pending.removeFirst()) }
        return await wait(bargeInOnly: false, timeout: timeout)
    }

    /// Waits for a barge-in call only (requests keep queueing); nil once the task is cancelled.
    func nextBargeIn() async -> BargeIn? {
        if let call = bargeIn {
            bargeIn = nil
            return call
        }
        guard case .bargeIn(let call)? = await wait(bargeInOnly: true, timeout: nil) else { return nil }
        return call
    }

    private func wait(bargeInOnly: Bool, timeout: Duration?) async -> SpeakerCall? {
        generation += 1
        let current = generation
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                waiter = (current, bargeInOnly, continuation)
                if Task.isCancelled { resumeWaiter(current) }
                if let timeout {
                    Task { [weak self] in
                        try? await Task.sleep(for: timeout)
                        await self?.resumeWaiter(current)
                    }
                }
            }
        } onCancel: {
            Task { await self.resumeWaiter(current) }
        }
    }

    private func resumeWaiter(_ generation: Int) {
        guard let waiter, waiter.generation == generation else { return }
        self.waiter = nil
        waiter.continuation.resume(returning: nil)
    }
}
