#!/usr/bin/env python3
"""The three pages in a real browser, against the native fleet: `make browser-test`, and part of `make test`.

Starts `audio-fleet up` on free ports with no collector and no OTLP variables, so the services export
to the monitoring dashboard's embedded backend as `make run` does natively; then drives the system's
Chromium with Playwright for Python (executable_path, no browser download):

  testing-ui   a turn by typed text and one by an uploaded WAV file: the transcript, the reply, the
               guardrail verdict, the per-stage timing bar and both audio players appear, and the
               reply's audio really plays (its clock advances);
  dashboard    the health matrix lists all nine services as ready; the service map has the edges of
               a voice turn; the waterfall of one of the bridge's voice turns holds spans from at
               least 8 services and no orphans;
  escaping     text with HTML and script in it, typed into the testing-ui and spoken on the bridge,
               shows as text on all three pages and never runs (no dialog, no injected element).

With --screenshots DIR it saves a full-page screenshot of each page there (`make screenshots`
writes docs/screenshots/, which the README shows). Everything it starts is stopped on exit.

Usage: browser_test.py --binary .build/debug/audio-fleet [--screenshots DIR] [--timeout 120]
"""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request

sys.path.insert(0, os.path.dirname(__file__))
import nativefleet  # noqa: E402
from nativefleet import Failure, Fleet, get_json  # noqa: E402

PROGRAM = "browser-test"
CHROMIUM = os.environ.get("CHROMIUM", shutil.which("chromium") or "/usr/bin/chromium")
# Text a user might paste: every page must show it as text and run none of it.
HOSTILE = 'Hey Atlas, what is <script>window.__xss=1</script><img src=x onerror="window.__xss=2"> about?'
# The calls of one voice turn, caller -> callee (the bridge's stages and the orchestrator's).
TURN_EDGES = {"discord->audio-processor", "discord->stt", "discord->orchestrator",
              "orchestrator->guardrails", "orchestrator->llm-flan", "orchestrator->tts-bark"}


def say(message):
    print(f"{PROGRAM}: {message}", flush=True)


def check(condition, message):
    if not condition:
        raise Failure(message)
    say(f"ok  {message}")


def eventually(what, probe, timeout, interval=2.0):
    return nativefleet.eventually(what, probe, timeout, interval)


def fetch(url, path):
    with urllib.request.urlopen(url, timeout=10) as answer, open(path, "wb") as out:
        out.write(answer.read())


def no_injection(page, where):
    """The hostile text ran nothing and added no element on `where`."""
    check(page.evaluate("window.__xss") is None, f"{where}: the pasted <script> and onerror never ran")
    check(page.locator("img[src=x]").count() == 0, f"{where}: the pasted <img> is text, not an element")


# ----------------------------------------------------------------------------------------------
# testing-ui

def run_turn(page, started_runs):
    """Clicks Run and waits for a new result; returns the result element."""
    page.click("#run-button")
    eventually("the run's result", lambda: (page.locator("#run .reply").count() > 0
                                            and page.locator("#run").get_attribute("data-run-id") not in started_runs,
                                            "no result yet"), 90, 0.5)
    run = page.locator("#run")
    started_runs.add(run.get_attribute("data-run-id"))
    return run


def assert_result(page, run, kind):
    check(run.locator(".transcript").inner_text().strip() != "", f"testing-ui ({kind}): the transcript is shown")
    check(run.locator(".reply").inner_text().strip() != "", f"testing-ui ({kind}): the reply text is shown")
    check(run.locator(".verdict").count() > 0, f"testing-ui ({kind}): the guardrail verdict is shown")
    segments = run.locator(".timing-bar > span").count()
    check(segments >= 3, f"testing-ui ({kind}): the timing bar has {segments} stages")
    check(run.locator("audio.input-audio").count() == 1 and run.locator("audio.reply-audio").count() == 1,
          f"testing-ui ({kind}): players for the input and the reply")
    played = page.evaluate("""async () => {
        const audio = document.querySelector('#run audio.reply-audio');
        audio.muted = true;
        await audio.play();
        const start = performance.now();
        while (audio.currentTime < 0.2 && performance.now() - start < 10000) await new Promise(r => setTimeout(r, 100));
        audio.pause();
        return { duration: audio.duration, played: audio.currentTime, error: audio.error && audio.error.code };
    }""")
    check(played["error"] is None and played["duration"] > 0.3 and played["played"] >= 0.2,
          f"testing-ui ({kind}): the reply plays ({played['played']:.2f} of {played['duration']:.2f} s)")


def testing_ui(browser, fleet, shots):
    page = browser.new_page()
    page.goto(fleet.url("testing-ui") + "/")
    runs = set()

    page.fill("#text", "Hey Atlas, what time is it?")
    run = run_turn(page, runs)
    assert_result(page, run, "typed text")
    trace_link = run.locator("a.trace-link").get_attribute("href")
    check(trace_link and "/traces/" in trace_link, f"testing-ui: the run links to its trace ({trace_link})")

    # The first run's spoken input, decoded to a WAV file, goes back in as an upload.
    source = os.path.join(fleet.tmp, "input.ogg")
    upload = os.path.join(fleet.tmp, "upload.wav")
    fetch(fleet.url("testing-ui") + run.locator("audio.input-audio").get_attribute("src"), source)
    subprocess.run(["opusdec", "--quiet", "--rate", "48000", source, upload], check=True)
    page.fill("#text", "")
    page.set_input_files("#audio-file", upload)
    assert_result(page, run_turn(page, runs), "uploaded WAV")
    page.set_input_files("#audio-file", [])

    page.fill("#text", HOSTILE)
    run = run_turn(page, runs)
    # stt hears the words, not the markup: the typed text is shown beside what was heard.
    check("<script>" in run.locator("dd.typed").inner_text(), "testing-ui: pasted HTML comes back as text")
    page.reload()
    check(HOSTILE in page.locator("#history").inner_text(), "testing-ui: the history shows the pasted HTML as text")
    no_injection(page, "testing-ui")
    if shots:
        # The picture shows a finished run: one more, with a plain sentence.
        page.fill("#text", "Hey Atlas, what's the weather like today?")
        run_turn(page, runs)
        page.screenshot(path=os.path.join(shots, "testing-ui.png"), full_page=True)
    page.close()
    return trace_link


# ----------------------------------------------------------------------------------------------
# The bridge's page and the monitoring dashboard

def bridge(browser, fleet, shots):
    status, _, body = nativefleet.request("POST", fleet.url("discord") + "/voice/speak", {"text": HOSTILE})
    check(status in (200, 202), f"bridge: POST /voice/speak with pasted HTML -> {status}")
    page = browser.new_page()
    eventually("the bridge page to list the pasted text", lambda: (
        page.goto(fleet.url("discord") + "/") and "<script>" in page.locator("main").inner_text(), "not yet"), 60)
    no_injection(page, "bridge")
    page.close()


def voice_turn_trace(fleet):
    """The trace id of a finished voice turn of the bridge's (a simulated speaker's reply)."""
    def probe():
        turns = get_json(fleet.url("discord") + "/voice/turns")
        turns = turns.get("turns", turns) if isinstance(turns, dict) else turns
        replied = [t for t in turns if t.get("outcome") == "replied" and t.get("trace_id")]
        return (replied[0]["trace_id"] if replied else None), f"{len(turns)} turns, none replied yet"
    return eventually("a voice turn that got a reply", probe, 120)


def dashboard(browser, fleet, shots):
    page = browser.new_page()
    base = fleet.url("monitoring-dashboard")

    def matrix():
        page.goto(base + "/")
        rows = page.locator("[data-service][data-status]")
        states = {rows.nth(i).get_attribute("data-service"): rows.nth(i).get_attribute("data-status")
                  for i in range(rows.count())}
        ready = [name for name, state in states.items() if state == "ready"]
        return len(ready) == 9 and len(states) == 9, f"{states}"
    eventually("the health matrix to list all nine as ready", matrix, 60)
    say("ok  dashboard: the health matrix lists all nine services as ready")

    def edges():
        page.goto(base + "/")
        drawn = {page.locator("[data-edge]").nth(i).get_attribute("data-edge")
                 for i in range(page.locator("[data-edge]").count())}
        return TURN_EDGES <= drawn, f"missing {sorted(TURN_EDGES - drawn)}"
    eventually("the service map to show a voice turn's edges", edges, 90)
    say(f"ok  dashboard: the service map has the {len(TURN_EDGES)} edges of a voice turn")
    no_injection(page, "dashboard")

    trace_id = voice_turn_trace(fleet)

    def waterfall():
        page.goto(f"{base}/traces/{trace_id}")
        rows = page.locator(".span-row")
        services = {rows.nth(i).get_attribute("data-service") for i in range(rows.count())}
        orphans = page.locator("#orphans").inner_text().strip() if page.locator("#orphans").count() else "?"
        return (len(services) >= 8 and orphans == "0"), f"{len(services)} services {sorted(services)}, orphans {orphans}"
    eventually(f"the waterfall of voice turn {trace_id} to hold 8 services", waterfall, 60)
    say(f"ok  dashboard: the waterfall of voice turn {trace_id} has {page.locator('.span-row').count()} spans "
        "from >= 8 services, no orphans")
    if shots:
        page.screenshot(path=os.path.join(shots, "trace-waterfall.png"), full_page=True)
    page.close()


def overview_screenshots(browser, fleet, shots):
    """The bridge's and the dashboard's pages, taken last, when turns have replied and the charts
    have a minute or more of traffic."""
    page = browser.new_page()
    for service, name in (("discord", "voice-bridge.png"), ("monitoring-dashboard", "monitoring-dashboard.png")):
        page.goto(fleet.url(service) + "/")
        page.screenshot(path=os.path.join(shots, name), full_page=True)
    page.close()


def run(args):
    from playwright.sync_api import sync_playwright

    tmp = tempfile.mkdtemp(prefix="browser-test.")
    fleet = Fleet(args.binary, tmp)
    dialogs = []
    t0 = time.monotonic()
    try:
        say(f"fleet on ports +{fleet.offset}, Chromium {CHROMIUM}")
        fleet.wait_ready()
        say(f"fleet ready after {time.monotonic() - t0:.0f} s")
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, args=["--no-sandbox", "--autoplay-policy=no-user-gesture-required"])
            context = browser.new_context(viewport={"width": 1280, "height": 900})
            context.on("page", lambda page: page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss())))
            testing_ui(context, fleet, args.screenshots)
            bridge(context, fleet, args.screenshots)
            dashboard(context, fleet, args.screenshots)
            if args.screenshots:
                overview_screenshots(context, fleet, args.screenshots)
            browser.close()
        check(not dialogs, f"no page opened a dialog ({dialogs})")
        say(f"passed in {time.monotonic() - t0:.0f} s")
        return 0
    except (Failure, SystemExit) as failure:
        say(f"FAILED: {failure}")
        say(f"last lines of the fleet's output:\n{fleet.tail()}")
        return 1
    finally:
        fleet.stop()
        if not os.environ.get("BROWSER_TEST_KEEP"):
            shutil.rmtree(tmp, ignore_errors=True)
        else:
            say(f"kept {tmp}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--binary", default=os.environ.get("AUDIO_FLEET_BIN"), required=not os.environ.get("AUDIO_FLEET_BIN"))
    ap.add_argument("--screenshots", help="folder for a full-page screenshot of each page")
    args = ap.parse_args()
    if args.screenshots:
        os.makedirs(args.screenshots, exist_ok=True)
    sys.exit(run(args))


if __name__ == "__main__":
    main()
