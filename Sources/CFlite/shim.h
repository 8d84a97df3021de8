// flite 2.2 from Debian (apt: flite1-dev). flite ships no pkg-config file, so the module map names
// its libraries; the voices' register functions are not in any installed header, so they are
// declared here as flite's own flite_main.c declares them.
#include <flite/flite.h>

cst_voice *register_cmu_us_kal(const char *voxdir);
cst_voice *register_cmu_us_kal16(const char *voxdir);
cst_voice *register_cmu_us_slt(const char *voxdir);
cst_voice *register_cmu_us_rms(const char *voxdir);
cst_voice *register_cmu_us_awb(const char *voxdir);

// The CMU lexicon (cmudict plus letter-to-sound rules) the voices use; declared in no installed
// header. The recognizer takes pronunciations of words cmudict lacks from it.
cst_lexicon *cmu_lex_init(void);
