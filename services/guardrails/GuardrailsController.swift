import FleetContracts
import FleetTelemetry
import Foundation
import Hummingbird
import Logging
import ServiceKit
import Tracing

/// The guardrails' HTTP surface: validate input, validate output, escalate, and show the rules.
struct GuardrailsController: Sendable {
    let policy: GuardrailPolicy
    let latency: LatencySource
    let maxBodyBytes: Int
    let logger: Logger
    /// The process's fault scenarios: `guardrailsBlockStorm` blocks a share of all input as toxic.
    let scenarios: ScenarioBoard

    func addRoutes(to group: RouterGroup<FleetRequestContext>) {
        group.post("/validate/input", use: validateInput)
        group.post("/validate/output", use: validateOutput)
        group.post("/escalate", use: escalate)
        group.get("/rules", use: rules)
    }

    func validateInput(request: Request, context: FleetRequestContext) async throws -> ValidationResult {
        let body = try await request.decodeJSON(ValidationRequest.self, limit: maxBodyBytes)
        return try await check(body.text, direction: .input)
    }

    func validateOutput(request: Request, context: FleetRequestContext) async throws -> ValidationResult {
        let body = try await request.decodeJSON(ValidationRequest.self, limit: maxBodyBytes)
        return try await check(body.text, direction: .output)
    }

    func escalate(request: Request, context: FleetRequestContext) async throws -> EscalationTicket {
        let body = try await request.decodeJSON(EscalationRequest.self, limit: maxBodyBytes)
        let reason = body.reason.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !reason.isEmpty else { throw FleetError.badRequest("'reason' must say why the conversation is escalated.") }
        guard reason.count <= 500 else { throw FleetError.badRequest("'reason' is longer than 500 characters.") }
        var ticket = EscalationTicket.open(for: EscalationRequest(reason: reason, context: body.context))
        // The ticket and the log show the reason and context redacted, like everything the fleet
        // keeps: the person picking the ticket up needs the why, not the card number. (The line's
        // control characters are escaped by the log handler, LineSafeLogHandler.)
        ticket.reason = PIIRedactor.shared.redacted(reason)
        let context = body.context.map { PIIRedactor.shared.redacted(String($0.canonicalJSON.prefix(2000))) }
        // The log line is the hand-off: it carries the trace id, so the person picking the ticket
        // up can open the conversation's trace.
        logger.warning("conversation escalated", metadata: [
            "ticket_id": "\(ticket.ticketId)", "reason": "\(ticket.reason)", "context": "\(context ?? "none")",
        ])
        return ticket
    }

    func rules(request: Request, context: FleetRequestContext) async throws -> RuleSet {
        RuleSet(policy: policy)
    }

    /// Runs one direction's rules inside its stage span, with the stub classifier's latency, and
    /// records the verdict.
    func check(_ text: String, direction: GuardrailPolicy.Direction) async throws -> ValidationResult {
        let spanName = direction == .input ? StageSpan.guardrailsInput : StageSpan.guardrailsOutput
        return try await withStageSpan(spanName) { span in
            try await latency.simulate(units: Double(text.count))
            var result = policy.validate(text, direction: direction)
            // Drawn for every input, so the scenario's percentage is a share of all input.
            if direction == .input && scenarios.strikes(.guardrailsBlockStorm) {
                result = policy.misjudgedAsToxic(result)
                span.attributes[Scenario.spanAttribute] = Scenario.guardrailsBlockStorm.key
            }
            let verdict = !result.safe ? "blocked" : result.filtered ? "sanitized" : "safe"
            span.attributes["guardrails.direction"] = direction.rawValue
            span.attributes["guardrails.verdict"] = verdict
            span.attributes["guardrails.reason"] = result.reason ?? "none"
            span.attributes["guardrails.toxicity_score"] = result.toxicityScore
            span.attributes["guardrails.characters"] = text.count
            if !result.redactions.isEmpty { span.attributes["guardrails.redactions"] = result.redactions }
            MetricCatalog.guardrailsChecks.increment(["direction": direction.rawValue, "verdict": verdict,
                                                      "reason": result.reason ?? "none"])
            MetricCatalog.guardrailsToxicity.observe(result.toxicityScore)
            return result
        }
    }
}

// The guardrails' own answers, returned by the handlers as they are (snake_case JSON).
extension EscalationTicket: ResponseEncodable {}
extension RuleSet: ResponseEncodable {}
