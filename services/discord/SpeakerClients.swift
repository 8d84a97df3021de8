import ServiceKit

/// The simulated speakers' clients' own thread, at nice 10: where a phrase not yet in the
/// `SpokenBurstCache` is synthesised with flite and encoded (about a tenth of a second each).
///
/// Why a thread of its own, and a low priority: a speaker's client stands for someone's computer
/// elsewhere, so its work must not hold up the bridge's own. Off the cooperative pool, whose two
/// threads keep every speaker's and every reply's 20 ms loop, it still competed with those loops
/// at the same priority, and while the cache fills (the first minutes of a run: about 600 bursts of
/// the corpus in ten voices) that is up to a core of flite. At nice 10 the scheduler runs the loops
/// first. A thread the bridge starts itself, not a dispatch queue's: libdispatch may reset the
/// priority of its own workers, and a worker lowered here could later run other work.
enum SpeakerClients {
    static let nice: Int32 = 10
    static let shared = WorkerThreads(name: "speaker-clients", count: 1, nice: nice)
}
