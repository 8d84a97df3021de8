// libogg handles the Ogg page framing (CRC, lacing, granule positions) for our Ogg Opus files.
#ifndef AUDIOFLEET_COGG_SHIM_H
#define AUDIOFLEET_COGG_SHIM_H
#include <ogg/ogg.h>
#endif
