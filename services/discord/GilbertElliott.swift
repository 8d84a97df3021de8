/// Bursty packet loss: the Gilbert-Elliott model, a two-state Markov chain over packets.
///
///     good --p--> bad        bad --r--> good        (p = goodToBad, r = badToGood per packet)
///     a packet is lost with probability k in the good state and h in the bad state
///
/// Real links lose packets in runs (a Wi-Fi fade, a full queue), and a run hurts a voice stream
/// far more than the same number of scattered losses: in-band FEC rebuilds only the one frame
/// before a packet that arrives, so a run of three costs two concealed frames. Independent
/// (Bernoulli) loss is the special case p = L, r = 1 - L with k = 0, h = 1.
///
/// Parameterised by what people can reason about, the mean loss L and the mean burst length B
/// (in packets), with k = 0 and h = 1 (the simple Gilbert model, where a burst is exactly a stay
/// in the bad state):
///
///     stationary share of bad = p / (p + r) = L,  mean stay in bad = 1 / r = B
///     =>  r = 1 / B,  p = L·r / (1 - L)
///
/// Deterministic: every draw comes from the generator the caller passes, so a seeded run replays.
struct GilbertElliott: Sendable, Equatable {
    enum State: Sendable, Equatable { case good, bad }

    private(set) var goodToBad: Double
    private(set) var badToGood: Double
    private(set) var lossInGood: Double
    private(set) var lossInBad: Double
    private(set) var state: State = .good

    /// The general four-parameter chain; probabilities are clamped to 0...1.
    init(goodToBad: Double, badToGood: Double, lossInGood: Double = 0, lossInBad: Double = 1) {
        self.goodToBad = Self.probability(goodToBad)
        self.badToGood = Self.probability(badToGood)
        self.lossInGood = Self.probability(lossInGood)
        self.lossInBad = Self.probability(lossInBad)
    }

    /// Loss at `meanLossPercent` in bursts of `meanBurstLength` packets on average.
    init(meanLossPercent: Double, meanBurstLength: Double) {
        self.init(goodToBad: 0, badToGood: 1)
        retune(meanLossPercent: meanLossPercent, meanBurstLength: meanBurstLength)
    }

    /// Scattered loss at `lossPercent`: each packet lost independently of the one before.
    static func independent(lossPercent: Double) -> GilbertElliott {
        let loss = meanLoss(lossPercent)
        return GilbertElliott(goodToBad: loss, badToGood: 1 - loss)
    }

    /// The mean burst length independent loss at `lossPercent` has (1 / (1 - L)): what a caller
    /// passes to ``retune(meanLossPercent:meanBurstLength:)`` for scattered loss.
    static func independentBurstLength(lossPercent: Double) -> Double {
        1 / (1 - meanLoss(lossPercent))
    }

    /// Changes the mean loss and burst length while running, keeping the current state, so a
    /// change mid-utterance continues from where the link is; no loss at all ends a burst at once.
    /// A burst shorter than one packet is one packet; at a loss so high that p would pass 1, p is
    /// 1 and the mean falls short.
    mutating func retune(meanLossPercent: Double, meanBurstLength: Double) {
        let loss = Self.meanLoss(meanLossPercent)
        let burst = meanBurstLength.isFinite ? max(1, meanBurstLength) : 1
        badToGood = 1 / burst
        goodToBad = loss == 0 ? 0 : min(1, loss * badToGood / (1 - loss))
        lossInGood = 0
        lossInBad = 1
        if loss == 0 { state = .good }
    }

    /// The long-run share of packets lost: π_good·k + π_bad·h.
    var meanLossRate: Double {
        let total = goodToBad + badToGood
        guard total > 0 else { return state == .bad ? lossInBad : lossInGood }
        let bad = goodToBad / total
        return (1 - bad) * lossInGood + bad * lossInBad
    }

    /// Decides whether the next packet is lost, then moves the chain on one packet.
    mutating func nextIsLost<Draws: RandomNumberGenerator>(using draws: inout Draws) -> Bool {
        let lossChance = state == .good ? lossInGood : lossInBad
        let lost = lossChance > 0 && Double.random(in: 0..<1, using: &draws) < lossChance
        let leave = state == .good ? goodToBad : badToGood
        if leave > 0, Double.random(in: 0..<1, using: &draws) < leave {
            state = state == .good ? .bad : .good
        }
        return lost
    }

    /// A percentage as a loss rate kept below 1, so the chain always returns to the good state.
    private static func meanLoss(_ percent: Double) -> Double {
        guard percent.isFinite else { return 0 }
        return min(max(percent, 0), 99) / 100
    }

    private static func probability(_ value: Double) -> Double {
        value.isFinite ? min(max(value, 0), 1) : 0
    }
}
