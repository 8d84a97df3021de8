import FleetContracts
import FleetTelemetry

extension GuardrailPolicy {
    /// What a misfiring toxicity classifier (the `guardrailsBlockStorm` scenario) makes of text the
    /// rules let through: blocked as toxic, with a score above the threshold as the classifier
    /// would report it. Text already blocked keeps its own reason; only the classifier misfires.
    func misjudgedAsToxic(_ result: ValidationResult) -> ValidationResult {
        guard result.safe else { return result }
        var misjudged = result
        misjudged.safe = false
        misjudged.reason = "toxicity"
        misjudged.toxicityScore = max(result.toxicityScore, toxicityThreshold + (1 - toxicityThreshold) * 0.9)
        return misjudged
    }
}
