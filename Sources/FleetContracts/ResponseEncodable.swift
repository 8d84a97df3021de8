public import Hummingbird

// The wire types a service answers with are values a Hummingbird handler can return as they are:
// the fleet's request context writes them as snake_case JSON.
extension FrameAnalysis: ResponseEncodable {}
extension ValidationResult: ResponseEncodable {}
extension ChatCompletion: ResponseEncodable {}
extension TranscriptResponse: ResponseEncodable {}
extension VoiceList: ResponseEncodable {}
extension TranscriptionResult: ResponseEncodable {}
extension TurnReport: ResponseEncodable {}
