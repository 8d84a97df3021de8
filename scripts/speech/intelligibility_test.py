#!/usr/bin/env python3
"""Can a listener understand tts-bark? `make speech-test`, and part of `make test` (short mode).

Starts `audio-fleet serve tts-bark` on a free port and has it speak held-out sentences (none of them
is in the fleet's own phrase corpus, so nothing here is tuned to them) in each voice. Each reply goes
the way the fleet's audio goes, Ogg Opus at 32 kb/s, is decoded with opusdec to 16 kHz, and is
recognised by an independent recognizer: pocketsphinx from PyPI with its own bundled general English
model (not the fleet's build, model or vocabulary). Word error rate by jiwer against the sentence
as a person says it.

A voice family is one of flite's voices (kal, kal16, slt, rms, awb); presets vary its pitch and rate.
Passes when every family's pooled WER is at most --max-wer (0.20). Short mode (--short, for
`make test`) speaks 20 sentences in one preset per family; the full run every preset.

Usage: intelligibility_test.py --binary .build/debug/audio-fleet [--short] [--max-wer 0.2] [--json FILE]
"""
import argparse
import concurrent.futures
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

PROGRAM = "speech-test"

# (what tts-bark is asked to say, what a person hears): numbers, times and units are said in words,
# which is the text normaliser's job.
SENTENCES = [
    ("Your next meeting starts in ten minutes.", "your next meeting starts in ten minutes"),
    ("The package should arrive on Thursday afternoon.", "the package should arrive on thursday afternoon"),
    ("I have added milk and eggs to your shopping list.", "i have added milk and eggs to your shopping list"),
    ("Traffic is light, so the drive will take about twenty minutes.",
     "traffic is light so the drive will take about twenty minutes"),
    ("Your alarm is set for 6:45 tomorrow morning.", "your alarm is set for six forty five tomorrow morning"),
    ("It will be sunny with a high of 72 degrees.", "it will be sunny with a high of seventy two degrees"),
    ("I found three restaurants near you that are open now.", "i found three restaurants near you that are open now"),
    ("The library closes at 8 pm on weekdays.", "the library closes at eight p m on weekdays"),
    ("Please remember to water the plants before you leave.", "please remember to water the plants before you leave"),
    ("The train to the city leaves from platform two.", "the train to the city leaves from platform two"),
    ("Your battery is at 15%, you should charge it soon.", "your battery is at fifteen percent you should charge it soon"),
    ("I could not find that song, would you like something similar?",
     "i could not find that song would you like something similar"),
    ("The recipe needs two cups of flour and one egg.", "the recipe needs two cups of flour and one egg"),
    ("Sure, I will remind you to call your sister tonight.", "sure i will remind you to call your sister tonight"),
    ("The museum is about 3 km from your hotel.", "the museum is about three kilometers from your hotel"),
    ("There is a chance of rain later this evening.", "there is a chance of rain later this evening"),
    ("Your flight has been delayed by forty minutes.", "your flight has been delayed by forty minutes"),
    ("The store on Main Street has the best bread in town.", "the store on main street has the best bread in town"),
    ("Turn left at the next light and the park is on your right.",
     "turn left at the next light and the park is on your right"),
    ("Good night, I hope you sleep well.", "good night i hope you sleep well"),
    ("The concert was moved to Saturday, March 14th.", "the concert was moved to saturday march fourteenth"),
    ("A round trip ticket costs $45.", "a round trip ticket costs forty five dollars"),
    ("Water boils at 100 degrees Celsius at sea level.", "water boils at one hundred degrees celsius at sea level"),
    ("I turned off the lights in the kitchen and the hall.", "i turned off the lights in the kitchen and the hall"),
]

# One preset per family for the short run: the family's plainest preset (pitch and rate 1 where there is one).
SHORT_PRESETS = ["v2/en_speaker_0", "v2/en_speaker_1", "v2/en_speaker_2", "v2/en_speaker_3"]


def say(message):
    print(f"{PROGRAM}: {message}", flush=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_tts(binary, port, data_dir):
    env = dict(os.environ, LATENCY_SCALE="0", OTEL_SDK_DISABLED="true", DATA_DIR=data_dir, PORT=str(port))
    log = open(os.path.join(data_dir, "tts-bark.log"), "w")
    process = subprocess.Popen([binary, "serve", "tts-bark", "--port", str(port)], env=env,
                               stdout=log, stderr=subprocess.STDOUT)
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/health/ready", timeout=2) as response:
                if response.status == 200:
                    return process
        except OSError:
            time.sleep(0.3)
        if process.poll() is not None:
            break
    process.terminate()
    raise SystemExit(f"{PROGRAM}: tts-bark did not become ready (log: {log.name})")


def request(url, payload=None):
    data = None if payload is None else json.dumps(payload).encode()
    req = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=120) as response:
        return response.read()


def to_pcm16k(ogg_bytes, work):
    """The Opus reply as 16 kHz mono 16-bit PCM, as pocketsphinx's model wants it."""
    ogg = os.path.join(work, "reply.opus")
    wav = os.path.join(work, "reply.wav")
    with open(ogg, "wb") as f:
        f.write(ogg_bytes)
    subprocess.run(["opusdec", "--quiet", "--rate", "16000", ogg, wav], check=True)
    with open(wav, "rb") as f:
        data = f.read()
    # opusdec writes a canonical 44-byte header; find the data chunk to be safe.
    at = data.find(b"data")
    return data[at + 8:] if at >= 0 else data[44:]


def recognise(pcm):
    from pocketsphinx import Decoder
    decoder = Decoder(samprate=16000, logfn=os.devnull)
    decoder.start_utt()
    decoder.process_raw(pcm, full_utt=True)
    decoder.end_utt()
    hyp = decoder.hyp()
    return hyp.hypstr if hyp else ""


def score_voice(base, voice, sentences):
    """One preset: (voice id, family, [(reference, hypothesis)], audio seconds)."""
    import jiwer  # noqa: F401  (imported in the worker so it fails early when missing)
    with tempfile.TemporaryDirectory() as work:
        pairs, seconds = [], 0.0
        for text, spoken in sentences:
            audio = request(f"{base}/synthesize", {"text": text, "voice": voice})
            pcm = to_pcm16k(audio, work)
            seconds += len(pcm) / 32000
            pairs.append((spoken, recognise(pcm)))
        return voice, pairs, seconds


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--binary", required=True)
    parser.add_argument("--short", action="store_true", help="20 sentences, one preset per voice family")
    parser.add_argument("--max-wer", type=float, default=0.20)
    parser.add_argument("--json", help="write the per-voice results here")
    args = parser.parse_args()
    import jiwer

    sentences = SENTENCES[:20] if args.short else SENTENCES
    with tempfile.TemporaryDirectory() as data_dir:
        port = free_port()
        process = start_tts(args.binary, port, data_dir)
        try:
            base = f"http://127.0.0.1:{port}"
            listing = json.loads(request(f"{base}/voices"))
            voices = {v["id"]: v["description"] for v in listing["voices"]}
            chosen = [v for v in SHORT_PRESETS if v in voices] if args.short else list(voices)
            say(f"{len(sentences)} held-out sentences x {len(chosen)} voices through Ogg Opus, "
                f"recognised by PyPI pocketsphinx (general English model)")
            workers = max(1, min(len(chosen), os.cpu_count() or 1))
            with concurrent.futures.ProcessPoolExecutor(workers) as pool:
                results = list(pool.map(score_voice, [base] * len(chosen), chosen, [sentences] * len(chosen)))
        finally:
            process.terminate()
            process.wait(timeout=30)

    families, report = {}, []
    for voice, pairs, seconds in results:
        refs = [r for r, _ in pairs]
        hyps = [h for _, h in pairs]
        wer = jiwer.wer(refs, hyps)
        family = voices[voice].split("(flite ")[1].split(")")[0].split(",")[0] if "(flite " in voices[voice] else voice
        families.setdefault(family, ([], []))
        families[family][0].extend(refs)
        families[family][1].extend(hyps)
        report.append({"voice": voice, "family": family, "wer": round(wer, 4), "audio_seconds": round(seconds, 1),
                       "worst": max(pairs, key=lambda p: jiwer.wer(p[0], p[1]) if p[0] else 0)})
        say(f"{voice:17} {family:6} WER {wer:6.1%}  ({seconds:.0f} s of speech)")
    failed = []
    for family, (refs, hyps) in sorted(families.items()):
        wer = jiwer.wer(refs, hyps)
        verdict = "ok  " if wer <= args.max_wer else "FAIL"
        say(f"{verdict} family {family:6} pooled WER {wer:6.1%} (at most {args.max_wer:.0%})")
        if wer > args.max_wer:
            failed.append(family)
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"voices": report, "families": {k: round(jiwer.wer(*v), 4) for k, v in families.items()}}, f, indent=2)
    if failed:
        for entry in report:
            if entry["family"] in failed:
                say(f"  worst for {entry['voice']}: heard {entry['worst'][1]!r} for {entry['worst'][0]!r}")
        sys.exit(1)


if __name__ == "__main__":
    main()
