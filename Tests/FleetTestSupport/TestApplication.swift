import Prometheus
public import ServiceKit

/// `service` built as a process builds it, with settings read from `environment` only (not the
/// machine's) and a fresh metrics registry, over the `peers` given: in-memory fakes, usually.
/// LATENCY_SCALE is 0.01 unless `environment` sets it, so stubbed models answer at once.
public func testApplication<S: FleetService>(_ service: S.Type, environment: [String: String] = [:],
                                             peers: S.Peers) async throws -> FleetApplication.Built {
    try await FleetApplication.build(service, runtime: testRuntime(service, environment), registry: PrometheusCollectorRegistry(),
                                     peers: peers)
}

/// `service` over its HTTP peers at the URLs `environment` gives: for a test about unreachable
/// peers, or a service that calls nobody.
public func testApplication<S: FleetService>(_ service: S.Type,
                                             environment: [String: String] = [:]) async throws -> FleetApplication.Built {
    try await FleetApplication.build(service, runtime: testRuntime(service, environment), registry: PrometheusCollectorRegistry())
}

private func testRuntime<S: FleetService>(_ service: S.Type, _ environment: [String: String]) throws -> ServiceRuntime {
    let settings = try ServiceSettings.forTesting(member: S.member,
                                                  environment: ["LATENCY_SCALE": "0.01"].merging(environment) { $1 })
    return ServiceRuntime(member: S.member, settings: settings)
}
