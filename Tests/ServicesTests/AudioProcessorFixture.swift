import FleetAudio
import FleetSpeech
import FleetTestSupport
import Foundation
import HummingbirdTesting
import NIOCore
import NIOFoundationEssentialsCompat
import ServiceKit
@testable import AudioProcessorService

/// Speech from the fleet's synthesiser with silence around it, the shape of a voice segment.
enum AudioProcessorFixture {
    static let phrase = "hey atlas, what is the weather like today"
    static let rate = Double(AudioFormat.sampleRate)

    static func speech(_ text: String = phrase, gain: Float = 1) -> [Float] {
        SpeechSynthesizer(voice: .default).synthesize(text).map { $0 * gain }
    }

    static func silence(_ seconds: Double) -> [Float] {
        [Float](repeating: 0, count: Int(seconds * rate))
    }

    static func padded(_ speech: [Float], before: Double = 1, after: Double = 1) -> [Float] {
        silence(before) + speech + silence(after)
    }

    static func decoded(_ samples: [Float], comments: [String: String] = [:]) -> DecodedAudio {
        DecodedAudio(samples: samples, comments: comments, duration: Double(samples.count) / rate, packetCount: 0)
    }

    static func ogg(_ samples: [Float], comments: [String: String] = [OpusComment.referenceTranscript: phrase]) throws -> [UInt8] {
        try OggOpus.encode(samples, comments: comments)
    }

    /// Seeded white noise at `dBFS` RMS.
    static func noise(count: Int, dBFS: Double, seed: UInt64 = 7) -> [Float] {
        var generator = SeededGenerator(seed: seed)
        let amplitude = Float(pow(10, dBFS / 20) * 3.0.squareRoot())  // uniform -a...a has RMS a/sqrt(3)
        return (0..<count).map { _ in Float.random(in: -amplitude...amplitude, using: &generator) }
    }

    static func sine(_ hz: Double, seconds: Double, amplitude: Float) -> [Float] {
        (0..<Int(seconds * rate)).map { amplitude * Float(sin(2 * .pi * hz * Double($0) / rate)) }
    }

    static func app(_ environment: [String: String] = [:]) async throws -> FleetApplication.Built {
        try await testApplication(AudioProcessorService.self, environment: environment, peers: NoPeers())
    }

    static func errorCode(_ response: TestResponse) -> String? {
        struct Body: Decodable { struct Detail: Decodable { let code: String }; let error: Detail }
        return try? JSONDecoder.fleet.decode(Body.self, from: Data(buffer: response.body)).error.code
    }

    static func errorMessage(_ response: TestResponse) -> String {
        String(buffer: response.body)
    }
}
