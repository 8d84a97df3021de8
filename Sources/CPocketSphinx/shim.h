// pocketsphinx 0.8+5prealpha from Debian (apt: libpocketsphinx-dev, pocketsphinx-en-us for the model).
#include <pocketsphinx.h>
#include <sphinxbase/cmd_ln.h>
#include <sphinxbase/err.h>
#include <sphinxbase/logmath.h>
