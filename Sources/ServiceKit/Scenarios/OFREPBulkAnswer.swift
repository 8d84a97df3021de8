import FleetTelemetry

/// An OFREP bulk evaluation answer, as flagd sends it: `{"flags": [...]}`, each entry either a
/// success (`key`, `value`, `variant`, `reason`, `metadata`) or an error (`key`, `errorCode`,
/// `errorDetails`). The protocol's own camelCase names, so a plain JSONDecoder reads it.
struct OFREPBulkAnswer: Decodable {
    /// flagd omits `flags` when there are none.
    let flags: [Evaluation]?

    struct Evaluation: Decodable {
        let key: String
        /// nil when absent (flagd's "use the code default") or null.
        let value: FlagValue?
        /// True when `value` is there but is not a boolean, number or string (an object flag).
        let valueIsUnusable: Bool
        let variant: String?
        let reason: String?
        let errorCode: String?
        let errorDetails: String?

        enum CodingKeys: String, CodingKey {
            case key, value, variant, reason, errorCode, errorDetails
        }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            key = try container.decode(String.self, forKey: .key)
            let present = try container.contains(.value) && !container.decodeNil(forKey: .value)
            value = present ? try? container.decode(FlagValue.self, forKey: .value) : nil
            valueIsUnusable = present && value == nil
            variant = try container.decodeIfPresent(String.self, forKey: .variant)
            reason = try container.decodeIfPresent(String.self, forKey: .reason)
            errorCode = try container.decodeIfPresent(String.self, forKey: .errorCode)
            errorDetails = try container.decodeIfPresent(String.self, forKey: .errorDetails)
        }
    }

    /// Error codes that mean "use the code default" (off): a flag that is not in the file, or is
    /// DISABLED (flagd before 0.16 answered that with an error; since, with reason DISABLED).
    static let codeDefaultErrors: Set<String> = ["FLAG_NOT_FOUND", "FLAG_DISABLED"]

    /// Every scenario's value from this answer, and the flags refused. A scenario flagd does not
    /// serve is off, as a flag missing from the file is; a refused one keeps its value in `previous`.
    func values(keeping previous: [String: FlagValue]) -> ([String: FlagValue], [FlagError]) {
        var values = previous
        var errors: [FlagError] = []
        let byKey = Dictionary((flags ?? []).map { ($0.key, $0) }, uniquingKeysWith: { _, last in last })
        for key in byKey.keys.sorted() where Scenario.named(key) == nil {
            errors.append(FlagError(flag: key, reason: "unknown_flag",
                                    message: "flag '\(key)' served by flagd is not a scenario (ignored)"))
        }
        for scenario in Scenario.all {
            switch Self.value(for: scenario, in: byKey[scenario.key]) {
            case .success(let value): values[scenario.key] = value
            case .failure(let error): errors.append(error)
            }
        }
        return (values, errors)
    }

    private static func value(for scenario: Scenario, in evaluation: Evaluation?) -> Result<FlagValue, FlagError> {
        let key = scenario.key
        guard let evaluation else { return .success(scenario.offValue) }
        if let code = evaluation.errorCode {
            if codeDefaultErrors.contains(code) { return .success(scenario.offValue) }
            return .failure(FlagError(flag: key, reason: "invalid_definition",
                                      message: "flag '\(key)': flagd could not evaluate it (\(code): \(evaluation.errorDetails ?? "no details"))"))
        }
        if evaluation.reason == "DISABLED" { return .success(scenario.offValue) }
        if evaluation.valueIsUnusable {
            return .failure(FlagError(flag: key, reason: "invalid_value",
                                      message: "flag '\(key)': variant '\(evaluation.variant ?? "?")' is not a boolean, a number or a string"))
        }
        guard let value = evaluation.value else { return .success(scenario.offValue) }
        if let problem = scenario.problem(with: value) {
            return .failure(FlagError(flag: key, reason: "invalid_value",
                                      message: "flag '\(key)': variant '\(evaluation.variant ?? "?")': \(problem)"))
        }
        return .success(value)
    }
}
