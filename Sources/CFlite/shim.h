// flite 2.2 from Debian (apt: flite1-dev). flite ships no pkg-config file, so the module map names
// its libraries.
#include <flite/flite.h>
#include <dlfcn.h>
#include <stddef.h>

// The five voices' libraries are not linked: each holds about 0.6 MiB of data the dynamic loader
// relocates (so a private copy in every process that loads it), and of the nine services that
// share the one binary only the few that speak register a voice. `register_cmu_us_<voice>` loads
// the voice's library (by its soname, from Debian's libflite1) on the first call and calls the
// library's own function of the same name, which flite's flite_main.c declares as these do.
// NULL when the library cannot be loaded, as when the voice cannot be registered.
// Not thread-safe, as flite's registration is not: FliteEngine calls these under its lock.
typedef cst_voice *(*fleet_flite_register_fn)(const char *voxdir);

static inline cst_voice *fleet_flite_register(const char *library, const char *symbol, const char *voxdir) {
    void *handle = dlopen(library, RTLD_NOW | RTLD_LOCAL);
    if (handle == NULL) return NULL;
    // The voice stays registered for the process's life, so its library is never closed.
    fleet_flite_register_fn registerVoice = (fleet_flite_register_fn)dlsym(handle, symbol);
    return registerVoice == NULL ? NULL : registerVoice(voxdir);
}

static inline cst_voice *register_cmu_us_kal(const char *voxdir) {
    return fleet_flite_register("libflite_cmu_us_kal.so.1", "register_cmu_us_kal", voxdir);
}
static inline cst_voice *register_cmu_us_kal16(const char *voxdir) {
    return fleet_flite_register("libflite_cmu_us_kal16.so.1", "register_cmu_us_kal16", voxdir);
}
static inline cst_voice *register_cmu_us_slt(const char *voxdir) {
    return fleet_flite_register("libflite_cmu_us_slt.so.1", "register_cmu_us_slt", voxdir);
}
static inline cst_voice *register_cmu_us_rms(const char *voxdir) {
    return fleet_flite_register("libflite_cmu_us_rms.so.1", "register_cmu_us_rms", voxdir);
}
static inline cst_voice *register_cmu_us_awb(const char *voxdir) {
    return fleet_flite_register("libflite_cmu_us_awb.so.1", "register_cmu_us_awb", voxdir);
}

// The CMU lexicon (cmudict plus letter-to-sound rules) the voices use; declared in no installed
// header. The recognizer takes pronunciations of words cmudict lacks from it.
cst_lexicon *cmu_lex_init(void);
