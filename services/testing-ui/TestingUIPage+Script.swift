extension TestingUIPage {
    /// The run form's script. It builds no markup from text: the result is the server's rendering
    /// of /runs/{id}, whose `#run` element it swaps in. A constant, never user text.
    static let script = #"""
(() => {
  "use strict";
  const $ = (id) => document.getElementById(id);
  let recorder = null;   // a MediaRecorder while recording
  let recording = null;  // the last recording, a WAV Blob, until a Run sends it

  function updateCount() { $("count").textContent = $("text").value.length; }
  $("text").addEventListener("input", updateCount);
  updateCount();
  $("phrase").addEventListener("change", () => {
    if ($("phrase").value) { $("text").value = $("phrase").value; updateCount(); }
  });
  $("new-session").addEventListener("click", () => { $("session").value = ""; });

  // Recording. MediaRecorder in Chromium produces WebM/Opus, which the fleet does not take (it
  // takes Ogg Opus and WAV), so the clip is decoded here with AudioContext.decodeAudioData and
  // sent as a 16-bit mono WAV, which wavOf builds: a 44-byte RIFF header, then the samples.
  function wavOf(buffer) {
    const length = buffer.length, rate = buffer.sampleRate, channels = [];
    for (let c = 0; c < buffer.numberOfChannels; c++) channels.push(buffer.getChannelData(c));
    const view = new DataView(new ArrayBuffer(44 + 2 * length));
    const ascii = (at, text) => { for (let i = 0; i < text.length; i++) view.setUint8(at + i, text.charCodeAt(i)); };
    ascii(0, "RIFF"); view.setUint32(4, 36 + 2 * length, true); ascii(8, "WAVE");
    ascii(12, "fmt "); view.setUint32(16, 16, true); view.setUint16(20, 1, true); view.setUint16(22, 1, true);
    view.setUint32(24, rate, true); view.setUint32(28, 2 * rate, true); view.setUint16(32, 2, true); view.setUint16(34, 16, true);
    ascii(36, "data"); view.setUint32(40, 2 * length, true);
    for (let i = 0; i < length; i++) {
      let sum = 0;
      for (const channel of channels) sum += channel[i];
      const sample = Math.max(-1, Math.min(1, sum / channels.length));
      view.setInt16(44 + 2 * i, Math.round(sample * 32767), true);
    }
    return new Blob([view], { type: "audio/wav" });
  }

  async function startRecording() {
    const stream = await navigator.mediaDevices.getUserMedia({ audio: true });
    const chunks = [];
    recorder = new MediaRecorder(stream);
    recorder.ondataavailable = (event) => chunks.push(event.data);
    recorder.onstop = async () => {
      stream.getTracks().forEach((track) => track.stop());
      recorder = null;
      $("record").textContent = "Record";
      try {
        const context = new AudioContext();
        const decoded = await context.decodeAudioData(await new Blob(chunks).arrayBuffer());
        context.close();
        recording = wavOf(decoded);
        $("recording").textContent = "Recorded " + decoded.duration.toFixed(1) + " s; Run sends it.";
      } catch (error) {
        $("run-error").textContent = "The recording could not be decoded: " + error.message;
        $("recording").textContent = "";
      }
    };
    recorder.start();
    $("record").textContent = "Stop";
    $("recording").textContent = "Recording…";
  }
  $("record").addEventListener("click", async () => {
    $("run-error").textContent = "";
    if (recorder) { recorder.stop(); return; }
    try { await startRecording(); }
    catch (error) { $("run-error").textContent = "The microphone is not available: " + error.message; }
  });

  // The media type of a chosen file, by its name (browsers often leave .opus untyped).
  function mediaTypeOf(file) {
    const name = file.name.toLowerCase();
    if (name.endsWith(".wav")) return "audio/wav";
    if (name.endsWith(".ogg") || name.endsWith(".opus")) return "audio/ogg";
    return file.type || "application/octet-stream";
  }

  // A chosen file goes first, then a recording, else the text.
  function request() {
    const options = { voice: $("voice").value, reply_voice: $("reply-voice").value };
    const session = $("session").value.trim();
    if (session) options.session_id = session;
    const file = $("audio-file").files[0];
    if (file || recording) {
      const query = new URLSearchParams(options);
      query.set("origin", file ? "file" : "microphone");
      const body = file || recording;
      return [fetch("/api/run/audio?" + query, { method: "POST", body,
        headers: { "content-type": file ? mediaTypeOf(file) : "audio/wav" } }), !file];
    }
    return [fetch("/api/run", { method: "POST", headers: { "content-type": "application/json" },
      body: JSON.stringify(Object.assign({ text: $("text").value }, options)) }), false];
  }

  $("run-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const button = $("run-button");
    button.disabled = true;
    $("run-error").textContent = "";
    $("run-status").textContent = "Running through the fleet…";
    try {
      const [pending, usedRecording] = request();
      const answer = await pending;
      const json = await answer.json().catch(() => null);
      if (!answer.ok) {
        throw new Error(json && json.error ? json.error.code + ": " + json.error.message : "HTTP " + answer.status);
      }
      if (usedRecording) { recording = null; $("recording").textContent = ""; }
      $("session").value = json.session_id;
      if (json.id === null) throw new Error("The run finished but could not be kept in the history (see the service's log).");
      await fleetPage.swapIn("/runs/" + json.id, ["run"]);
      $("run-status").textContent = "";
    } catch (error) {
      $("run-status").textContent = "";
      $("run-error").textContent = error.message;
    } finally {
      button.disabled = false;
      fleetPage.swapIn("/", ["history"]).catch(() => {});
    }
  });
})();

"""#
}
