import Prometheus
public import ServiceKit

/// `service` built as a process builds it, with settings read from `environment` only (not the
/// machine's) and a fresh metrics registry, over the `peers` given: in-memory fakes, usually.
/// LATENCY_SCALE is 0.01 unless `environment` sets it, so stubbed models answer at once.
/// Inside `TestMetrics.collecting`, `/metrics` serves the test's registry instead.
public func testApplication<S: FleetService>(_ service: S.Type, environment: [String: String] = [:],
                                             peers: S.Peers) async throws -> FleetApplication.Built {
    try await testApplication(service, runtime: testRuntime(service, environment: environment), peers: peers)
}

/// `service` over its HTTP peers at the URLs `environment` gives: for a test about unreachable
/// peers, or a service that calls nobody.
public func testApplication<S: FleetService>(_ service: S.Type,
                                             environment: [String: String] = [:]) async throws -> FleetApplication.Built {
    try await FleetApplication.build(service, runtime: testRuntime(service, environment: environment),
                                     registry: testRegistry())
}

/// `service` over `runtime`, for a test that reaches into the process — switches a scenario on
/// `runtime.scenarios`, say — before or while it sends requests.
public func testApplication<S: FleetService>(_ service: S.Type, runtime: ServiceRuntime,
                                             peers: S.Peers) async throws -> FleetApplication.Built {
    try await FleetApplication.build(service, runtime: runtime, registry: testRegistry(), peers: peers)
}

/// The runtime `testApplication` builds `service` with: settings from `environment` only, and
/// LATENCY_SCALE 0.01 unless `environment` sets it.
public func testRuntime<S: FleetService>(_ service: S.Type, environment: [String: String] = [:]) throws -> ServiceRuntime {
    let settings = try ServiceSettings.forTesting(member: S.member,
                                                  environment: ["LATENCY_SCALE": "0.01"].merging(environment) { $1 })
    return ServiceRuntime(member: S.member, settings: settings)
}

private func testRegistry() -> PrometheusCollectorRegistry {
    TestMetrics.registry ?? PrometheusCollectorRegistry()
}
