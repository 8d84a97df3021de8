public import HTTPTypes

/// Media types the fleet sends and accepts, written once.
public enum MediaType {
    public static let json = "application/json"
    /// Whether `mediaType` (lower-cased, without parameters, as `Request.mediaType` gives it) is
    /// JSON: `application/json` or a structured-syntax `+json` type (RFC 6839), such as
    /// `application/problem+json`.
    public static func isJSON(_ mediaType: String) -> Bool {
        mediaType == json || (mediaType.hasPrefix("application/") && mediaType.hasSuffix("+json"))
    }
    /// Ogg audio as a request or `Accept` names it; what the fleet sends is `oggOpus`.
    public static let ogg = "audio/ogg"
    public static let oggOpus = "audio/ogg; codecs=opus"
    public static let wav = "audio/wav"
    public static let html = "text/html; charset=utf-8"
    public static let eventStream = "text/event-stream"
    public static let prometheusText = "text/plain; version=0.0.4; charset=utf-8"
    /// The OpenAPI document each service serves at /openapi.yaml (RFC 9512).
    public static let yaml = "application/yaml"
}

/// The fleet's own header names, made once rather than force-unwrapped on every request.
extension HTTPField.Name {
    /// Tells a proxy (nginx) not to buffer a server-sent event stream.
    public static let accelBuffering = HTTPField.Name("X-Accel-Buffering")!
    /// Milliseconds a service spent on the request's work (stt, audio-processor, tts-bark).
    public static let processingTimeMs = HTTPField.Name("X-Processing-Time-Ms")!
}
