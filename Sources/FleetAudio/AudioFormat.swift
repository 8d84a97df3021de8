/// The single PCM format that travels between AudioFleet services.
///
/// Everything in this module speaks 48 kHz mono `Float` samples in -1...1, cut into
/// 20 ms frames, because that is what Discord's voice gateway and Opus both use natively:
/// no service ever has to guess a rate or resample on the hot path.
public enum AudioFormat {
    public static let sampleRate = 48_000
    public static let frameDuration = 0.020
    public static let samplesPerFrame = 960
}
