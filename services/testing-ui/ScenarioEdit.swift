import FleetContracts
import FleetTelemetry
import ServiceKit

/// The checks and the write behind PUT /scenarios/{key}: plain functions over the catalog and the
/// flag file, each failure a `FleetError` whose message names the flag.
enum ScenarioEdit {
    /// The scenario a path names, or a 404 that lists the ones there are.
    static func scenario(named key: String) throws -> Scenario {
        guard let scenario = Scenario.named(key) else {
            count(key, "unknown_flag")
            throw FleetError.notFound("Unknown flag '\(key)'; known flags: \(Scenario.keys.joined(separator: ", ")).")
        }
        return scenario
    }

    /// The value to switch on at (nil: the stored `on` value), or a 400 naming the flag and what
    /// it accepts. Switching off takes no value, so any value sent with it is left unread.
    static func validatedValue(_ change: ScenarioChange, for scenario: Scenario) throws -> FlagValue? {
        guard change.enabled, let value = change.value else { return nil }
        let accepts = ScenarioState(scenario, value: scenario.offValue).accepts
        if let problem = scenario.problem(with: value) {
            count(scenario.key, "invalid_value")
            let hint = problem.contains(accepts) ? "" : "; it accepts \(accepts)"
            throw FleetError.badRequest("Flag '\(scenario.key)': \(problem)\(hint).")
        }
        guard scenario.isActive(value) else {
            count(scenario.key, "invalid_value")
            throw FleetError.badRequest("""
                Flag '\(scenario.key)': \(value) is its off value, so it would stay off; give a value in \(accepts) \
                other than that, or send "enabled": false to switch it off.
                """)
        }
        return value
    }

    /// Edits the flag file (atomically; the file validates the result before replacing itself)
    /// and returns what it now defines. A value the file refuses is the caller's 400; a file that
    /// cannot be read or written is this service's 500, and the file stays as it was either way.
    static func write(to file: FlagFile, flag: String,
                      _ edit: @escaping @Sendable (inout FlagDefinitions) throws(FlagError) -> Void) async throws
        -> FlagDefinitions
    {
        do {
            return try await file.update(edit)
        } catch {
            switch error.reason {
            case "unknown_flag": throw FleetError.notFound(error.message)
            case "invalid_value": throw FleetError.badRequest(error.message)
            default: throw FleetError.internalError("The flag file \(file.path) was not changed: \(error.message)")
            }
        }
    }

    /// What the file defines, as PUT's answer.
    static func list(of definitions: FlagDefinitions, source: String) throws -> ScenarioList {
        let values: [String: FlagValue]
        do {
            values = try definitions.resolved()
        } catch {
            throw FleetError.internalError("The flag file was written but does not resolve: \(error.message)")
        }
        let stored = storedOnValues(definitions)
        return ScenarioList(source: source, stateOf: "file", scenarios: Scenario.all.map { scenario in
            ScenarioState(scenario, value: values[scenario.key] ?? scenario.offValue, onValue: stored[scenario.key])
        })
    }

    /// Each flag's stored `on` variant: what switching it on without a value sets.
    static func storedOnValues(_ definitions: FlagDefinitions) -> [String: FlagValue] {
        definitions.flags.compactMapValues { $0.variants[FlagDefinition.onVariant] }
    }

    /// Refused input is counted like a refused flag file, so it shows beside the services' own.
    static func count(_ flag: String, _ reason: String) {
        MetricCatalog.flagErrors.increment(["flag": flag, "reason": reason])
    }
}
