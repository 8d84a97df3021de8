/// What Atlas says when it will not answer. These are spoken, so they are short and plain.
public enum Replies {
    /// The answer to an input the guardrails blocked, by their reason.
    public static func refusal(for reason: String?) -> String {
        switch reason {
        case "too_long":
            return "That was a bit long for me to take in at once. Could you say it again in fewer words?"
        case "prompt_injection":
            return "Sorry, I can't go along with that request. I'm happy to help with something else, though."
        case "toxicity":
            return "I'd rather keep things friendly. Is there something else I can help you with?"
        case "empty":
            return "I didn't catch anything there. Could you say that again?"
        default:
            return "Sorry, I can't help with that one. Is there something else I can do for you?"
        }
    }

    /// The answer when the guardrails stopped what the model wrote.
    public static let withheldOutput = "Sorry, I came up with an answer I shouldn't share. Could you ask me in another way?"

    /// The answer when the model returned nothing at all.
    public static let emptyGeneration = "Sorry, I don't have an answer for that right now."
}
