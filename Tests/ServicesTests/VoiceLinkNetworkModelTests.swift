import ServiceKit
import Testing
@testable import DiscordService

/// The runs of lost packets in `count` draws: their number and mean length, and the loss rate.
private func lossRuns(_ model: GilbertElliott, count: Int, seed: UInt64) -> (rate: Double, meanBurst: Double, runs: Int) {
    var model = model
    var draws = SeededGenerator(seed: seed, stream: "test/loss")
    var lost = 0, runs = 0, previous = false
    for _ in 0..<count {
        let isLost = model.nextIsLost(using: &draws)
        if isLost { lost += 1 }
        if isLost, !previous { runs += 1 }
        previous = isLost
    }
    return (Double(lost) / Double(count), runs == 0 ? 0 : Double(lost) / Double(runs), runs)
}

@Suite("Discord voice link: network models")
struct VoiceLinkNetworkModelTests {
    // MARK: Gilbert-Elliott

    @Test("bursty loss keeps its mean loss rate in the long run", arguments: [2.0, 10, 30])
    func longRunLossMatchesMean(percent: Double) {
        let model = GilbertElliott(meanLossPercent: percent, meanBurstLength: 3)
        #expect(abs(model.meanLossRate - percent / 100) < 1e-9)
        let measured = lossRuns(model, count: 200_000, seed: 1)
        #expect(abs(measured.rate - percent / 100) < 0.006, "measured \(measured.rate) for \(percent) %")
    }

    @Test("bursts are as long as asked for, and longer than independent loss at the same rate")
    func burstsAreLongerThanIndependentLoss() {
        let bursty = lossRuns(GilbertElliott(meanLossPercent: 10, meanBurstLength: 3), count: 200_000, seed: 2)
        let scattered = lossRuns(.independent(lossPercent: 10), count: 200_000, seed: 2)
        print("10 % loss: bursty rate \(bursty.rate), mean burst \(bursty.meanBurst); independent rate \(scattered.rate), mean burst \(scattered.meanBurst)")
        #expect(abs(bursty.meanBurst - 3) < 0.15)
        #expect(abs(scattered.rate - 0.1) < 0.006)
        // Independent loss at rate L has runs of 1 / (1 - L) on average: 1.11 at 10 %.
        #expect(abs(scattered.meanBurst - GilbertElliott.independentBurstLength(lossPercent: 10)) < 0.05)
        #expect(bursty.meanBurst > 2 * scattered.meanBurst)
        #expect(bursty.runs < scattered.runs / 2)
    }

    @Test("the same seed replays the same losses; no loss means none")
    func deterministic() {
        let model = GilbertElliott(meanLossPercent: 15, meanBurstLength: 4)
        var first = model, second = model
        var a = SeededGenerator(seed: 9), b = SeededGenerator(seed: 9)
        let one = (0..<2_000).map { _ in first.nextIsLost(using: &a) }
        let two = (0..<2_000).map { _ in second.nextIsLost(using: &b) }
        #expect(one == two)
        #expect(lossRuns(GilbertElliott(meanLossPercent: 0, meanBurstLength: 3), count: 10_000, seed: 3).rate == 0)
        // Out-of-range input stays a valid chain.
        #expect((0...1).contains(GilbertElliott(meanLossPercent: .nan, meanBurstLength: -1).meanLossRate))
        #expect(GilbertElliott(meanLossPercent: 500, meanBurstLength: 3).meanLossRate <= 0.99)
    }

    @Test("retuning mid-run keeps the chain's state and takes the new rate")
    func retune() {
        var model = GilbertElliott(meanLossPercent: 0, meanBurstLength: 3)
        model.retune(meanLossPercent: 20, meanBurstLength: 2)
        #expect(abs(model.meanLossRate - 0.2) < 1e-9)
        #expect(abs(model.badToGood - 0.5) < 1e-9)
        let measured = lossRuns(model, count: 100_000, seed: 4)
        #expect(abs(measured.rate - 0.2) < 0.01)
        // Switching loss off ends it at once, even in the middle of a burst.
        var draws = SeededGenerator(seed: 6)
        while model.state == .good { _ = model.nextIsLost(using: &draws) }
        model.retune(meanLossPercent: 0, meanBurstLength: 3)
        #expect(!(0..<1_000).contains { _ in model.nextIsLost(using: &draws) })
    }

    // MARK: Jitter buffer

    @Test("without jitter every packet plays in its own slot at the minimum delay")
    func steadyArrivals() {
        var buffer = JitterBuffer()
        var played: [JitterBuffer.Slot] = []
        for sequence in 0..<100 {
            let now = Double(sequence) * 0.02
            if sequence > 0 { #expect(buffer.arrive([UInt8((sequence - 1) % 256)], sequence: sequence - 1, at: now) == .buffered) }
            played += buffer.due(at: now)
        }
        #expect(buffer.jitter < 1e-6)
        #expect(buffer.targetDelay == buffer.settings.delayRange.lowerBound)
        #expect(played.count >= 97)
        #expect(played.allSatisfy { $0.packet == [UInt8($0.sequence % 256)] })
        #expect(played.map(\.sequence) == Array(0..<played.count))
    }

    @Test("reordered packets play in order; one that comes after its slot is late, and the slot offers the next packet for FEC")
    func reorderingAndLateness() {
        var buffer = JitterBuffer()
        // Packets 0, 2, 1 arrive early enough; 3 arrives long after its slot; 4 is on time.
        #expect(buffer.arrive([0], sequence: 0, at: 0.02) == .buffered)
        #expect(buffer.arrive([2], sequence: 2, at: 0.061) == .buffered)
        #expect(buffer.arrive([1], sequence: 1, at: 0.065) == .buffered)
        let firstThree = buffer.due(at: 0.09)
        #expect(firstThree.map(\.packet) == [[0], [1], [2]])
        #expect(buffer.arrive([4], sequence: 4, at: 0.10) == .buffered)
        let slotThree = buffer.due(at: buffer.playoutTime(of: 3)!)
        #expect(slotThree == [JitterBuffer.Slot(sequence: 3, packet: nil, next: [4])])
        #expect(buffer.arrive([3], sequence: 3, at: 0.5) == .late)
        #expect(buffer.jitter > 0)
    }

    @Test("the target delay follows the jitter estimate up, within its bounds, and back down")
    func adaptiveDelay() {
        var buffer = JitterBuffer()
        var draws = SeededGenerator(seed: 5)
        var sequence = 0
        func send(_ count: Int, jitter: Double) {
            for _ in 0..<count {
                let delay = 0.02 + Double.random(in: 0..<jitter + 1e-12, using: &draws)
                _ = buffer.arrive([1], sequence: sequence, at: Double(sequence) * 0.02 + delay)
                sequence += 1
            }
        }
        send(200, jitter: 0)
        let calm = buffer.targetDelay
        send(200, jitter: 0.08)
        let stormy = buffer.targetDelay
        send(2_000, jitter: 1)
        let capped = buffer.targetDelay
        send(400, jitter: 0)
        print("jitter buffer target: calm \(calm) s, 80 ms spread \(stormy) s, capped \(capped) s, after \(buffer.targetDelay) s")
        #expect(calm == buffer.settings.delayRange.lowerBound)
        #expect(stormy > calm + 0.05)
        #expect(capped == buffer.settings.delayRange.upperBound)
        #expect(buffer.targetDelay < 0.03)
    }
}
