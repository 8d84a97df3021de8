import FleetTelemetry
import ServiceKit
import Testing

@Suite("the chaos schedule")
struct ChaosScheduleTests {
    static func events(seed: UInt64, _ options: ChaosSchedule.Options = .init(), until: Double = 3600) -> [ChaosSchedule.Event] {
        Array(ChaosSchedule(seed: seed, options: options).prefix { $0.offset < until })
    }

    @Test("the same seed gives the same (time, scenario, value) events; another seed another plan")
    func reproducible() {
        let first = Self.events(seed: 42)
        #expect(first.count > 20)
        #expect(Self.events(seed: 42) == first)
        #expect(Self.events(seed: 43) != first)
        // A prefix is the same whatever horizon it is cut from: the plan does not depend on --until.
        #expect(Self.events(seed: 42, until: 600) == first.filter { $0.offset < 600 })
    }

    @Test("events come in time order; each on is followed by its off after its duration, and each off had an on",
          arguments: [1, 7, 42, 1234] as [UInt64])
    func pairs(seed: UInt64) {
        let events = Self.events(seed: seed)
        #expect(zip(events, events.dropFirst()).allSatisfy { $0.offset <= $1.offset })
        var on: [String: ChaosSchedule.Event] = [:]
        for event in events {
            if event.value != nil {
                #expect(on[event.scenario.key] == nil, "\(event): already on")
                on[event.scenario.key] = event
            } else {
                let start = on.removeValue(forKey: event.scenario.key)
                #expect(start.map { $0.offset + ($0.duration ?? 0) } == event.offset, "\(event): not at the end of its start")
            }
        }
    }

    @Test("never more than --max-active on at once; durations within bounds; the first change at once",
          arguments: [1, 2, 3])
    func limits(maxActive: Int) {
        let options = ChaosSchedule.Options(minDuration: 10, maxDuration: 40, maxActive: maxActive)
        let events = Self.events(seed: 99, options)
        #expect(events.first?.offset == 0)
        var active = 0, peak = 0
        for event in events {
            active += event.value == nil ? -1 : 1
            peak = max(peak, active)
            #expect(active <= maxActive && active >= 0)
            if let duration = event.duration { #expect((10...40).contains(duration)) }
        }
        #expect(peak == maxActive, "the schedule reaches its limit")
    }

    @Test("every value is one its scenario accepts, and visibly on: never the neutral value")
    func values() {
        var seen: Set<String> = []
        for seed: UInt64 in 0..<20 {
            for event in Self.events(seed: seed) {
                guard let value = event.value else { continue }
                seen.insert(event.scenario.key)
                #expect(event.scenario.problem(with: value) == nil, "\(event)")
                #expect(event.scenario.isActive(value), "\(event)")
            }
        }
        #expect(seen == Set(Scenario.keys), "every scenario comes up: \(Set(Scenario.keys).subtracting(seen))")
    }

    @Test("severities lean to the visible: the catalogued value's distance from neutral, halved to doubled")
    func severity() {
        for draw in stride(from: 0.0, to: 1.0, by: 0.05) {
            let slow = ChaosSchedule.severity(for: .sttSlow, draw).magnitude  // on 4 x, neutral 1
            #expect((2.5...7).contains(slow), "\(slow) at \(draw)")
            let loss = ChaosSchedule.severity(for: .packetLoss, draw).magnitude  // on 10 %
            #expect((5...20).contains(loss), "\(loss) at \(draw)")
        }
        #expect(ChaosSchedule.severity(for: .otlpBlackhole, 0.3) == .bool(true))
    }

    @Test("only the scenarios allowed are chosen; options that cannot work give no events")
    func options() {
        let only = [Scenario.sttSlow, .packetLoss]
        let events = Self.events(seed: 5, .init(maxActive: 3, scenarios: only))
        #expect(Set(events.map(\.scenario.key)) == ["sttSlow", "packetLoss"])
        #expect(ChaosSchedule.Options(minDuration: 30, maxDuration: 10).problem != nil)
        #expect(Self.events(seed: 5, .init(maxActive: 0)).isEmpty)
        #expect(Self.events(seed: 5, .init(scenarios: [])).isEmpty)
    }
}
