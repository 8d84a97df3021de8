// libopus's ctl calls are C-variadic macros, which Swift cannot call.
// These helpers give each ctl we use a plain, typed C signature.
#ifndef AUDIOFLEET_COPUS_SHIM_H
#define AUDIOFLEET_COPUS_SHIM_H
#include <opus/opus.h>

static inline int af_opus_set_bitrate(OpusEncoder *e, opus_int32 v) { return opus_encoder_ctl(e, OPUS_SET_BITRATE(v)); }
static inline int af_opus_set_complexity(OpusEncoder *e, opus_int32 v) { return opus_encoder_ctl(e, OPUS_SET_COMPLEXITY(v)); }
static inline int af_opus_set_max_bandwidth(OpusEncoder *e, opus_int32 v) { return opus_encoder_ctl(e, OPUS_SET_MAX_BANDWIDTH(v)); }
static inline int af_opus_set_vbr(OpusEncoder *e, opus_int32 v) { return opus_encoder_ctl(e, OPUS_SET_VBR(v)); }
static inline int af_opus_set_inband_fec(OpusEncoder *e, opus_int32 v) { return opus_encoder_ctl(e, OPUS_SET_INBAND_FEC(v)); }
static inline int af_opus_set_packet_loss_perc(OpusEncoder *e, opus_int32 v) { return opus_encoder_ctl(e, OPUS_SET_PACKET_LOSS_PERC(v)); }
static inline int af_opus_set_signal_voice(OpusEncoder *e) { return opus_encoder_ctl(e, OPUS_SET_SIGNAL(OPUS_SIGNAL_VOICE)); }
static inline int af_opus_get_lookahead(OpusEncoder *e, opus_int32 *v) { return opus_encoder_ctl(e, OPUS_GET_LOOKAHEAD(v)); }
static inline int af_opus_get_bitrate(OpusEncoder *e, opus_int32 *v) { return opus_encoder_ctl(e, OPUS_GET_BITRATE(v)); }

/* The codec floor `audio-fleet bench codec` divides by: plain libopus, called from C with the
 * fleet's settings (48 kHz mono, VOIP, voice signal, and its bitrate, complexity and band), no
 * wrapper, no container. One encoder per call, as OggOpus.encode makes one per file. `packets`
 * holds `frames` slots of 4000 bytes; returns the bytes written in all, or a negative libopus
 * error. */
static inline long af_reference_encode(const float *pcm, int frames, opus_int32 bitrate, int complexity,
                                       opus_int32 max_bandwidth, unsigned char *packets, opus_int32 *lengths) {
    int status = OPUS_OK;
    OpusEncoder *encoder = opus_encoder_create(48000, 1, OPUS_APPLICATION_VOIP, &status);
    if (status != OPUS_OK || encoder == 0) return status;
    opus_encoder_ctl(encoder, OPUS_SET_BITRATE(bitrate));
    opus_encoder_ctl(encoder, OPUS_SET_COMPLEXITY(complexity));
    opus_encoder_ctl(encoder, OPUS_SET_SIGNAL(OPUS_SIGNAL_VOICE));
    opus_encoder_ctl(encoder, OPUS_SET_MAX_BANDWIDTH(max_bandwidth));
    long total = 0;
    for (int i = 0; i < frames; i++) {
        opus_int32 written = opus_encode_float(encoder, pcm + (long)i * 960, 960, packets + (long)i * 4000, 4000);
        if (written < 0) { opus_encoder_destroy(encoder); return written; }
        lengths[i] = written;
        total += written;
    }
    opus_encoder_destroy(encoder);
    return total;
}

/* Decodes `frames` packets laid out as af_reference_encode writes them into `pcm` (960 samples
 * each) with one fresh decoder; returns the samples decoded, or a negative libopus error. */
static inline long af_reference_decode(const unsigned char *packets, const opus_int32 *lengths, int frames,
                                       float *pcm) {
    int status = OPUS_OK;
    OpusDecoder *decoder = opus_decoder_create(48000, 1, &status);
    if (status != OPUS_OK || decoder == 0) return status;
    long total = 0;
    for (int i = 0; i < frames; i++) {
        int decoded = opus_decode_float(decoder, packets + (long)i * 4000, lengths[i], pcm + (long)i * 960, 960, 0);
        if (decoded < 0) { opus_decoder_destroy(decoder); return decoded; }
        total += decoded;
    }
    opus_decoder_destroy(decoder);
    return total;
}

#endif
