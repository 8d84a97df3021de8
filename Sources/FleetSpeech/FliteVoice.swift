import CFlite

/// The five English voices Debian's libflite ships. kal and kal16 are diphone voices (one male
/// American speaker, at 8 and 16 kHz); slt, rms and awb are statistical (clustergen) voices of
/// the CMU ARCTIC speakers: a female and a male American, and a male Scottish speaker.
public enum FliteVoice: String, CaseIterable, Sendable {
    case kal, kal16, slt, rms, awb

    /// Diphone voices take their pitch as a target mean in Hz, clustergen ones as a multiplier.
    var isDiphone: Bool { self == .kal || self == .kal16 }

    /// The voice's own mean pitch, so a pitch multiplier can be turned into a diphone target.
    var naturalPitchHz: Double {
        switch self {
        case .kal, .kal16: 105
        case .slt: 170
        case .rms, .awb: 110
        }
    }

    /// Registers the voice with flite. Called once per voice, under `FliteEngine`'s lock: flite's
    /// registration functions are not thread-safe, synthesis with a registered voice is.
    func register() -> UnsafeMutablePointer<cst_voice>? {
        switch self {
        case .kal: register_cmu_us_kal(nil)
        case .kal16: register_cmu_us_kal16(nil)
        case .slt: register_cmu_us_slt(nil)
        case .rms: register_cmu_us_rms(nil)
        case .awb: register_cmu_us_awb(nil)
        }
    }
}
