extension TestingUIPage {
    /// The fleet's controls, a partial of the page: the voice bridge's load (GET/PUT load) and the
    /// fault scenarios (GET scenarios every 2 s, PUT scenarios/{key}, POST scenarios/reset). The
    /// server checks every value and answers a refusal naming the flag, shown beside its row. The
    /// rows are drawn by `controlsScript` from the JSON, with `textContent`.
    static let controlsTemplateText = #"""
  <section class="card controls" id="load-card">
    <h2>Load</h2>
    <div class="row" style="margin-top:0">
      <label>Simulated speakers
        <input id="load-range" type="range" min="{{loadMin}}" max="{{loadMax}}" step="1" value="3" style="width:260px"></label>
      <input id="load-number" type="number" min="{{loadMin}}" max="{{loadMax}}" step="1" value="3" aria-label="speakers">
      <button id="load-apply" type="button">Apply</button>
    </div>
    <div class="muted" id="load-now" style="margin-top:8px">Reading the voice bridge…</div>
    <div class="inline-error" id="load-error"></div>
  </section>
  <section class="card controls" id="scenarios-card">
    <h2>Fault scenarios</h2>
    <div class="muted">Switched for the whole fleet through one flag file; every service follows within 2 s.
      <span id="scenario-source"></span></div>
    <table>
      <thead><tr><th>On</th><th>Scenario</th><th>Value</th><th>What it does</th></tr></thead>
      <tbody id="scenarios"><tr><td colspan="4" class="muted">Reading the scenarios…</td></tr></tbody>
    </table>
    <div class="row"><button id="scenarios-reset" type="button" class="secondary">Switch all off</button>
      <span class="inline-error" id="scenario-error"></span></div>
  </section>
"""#

    /// The controls' script (a constant; it sets fleet text with `textContent` only).
    static let controlsScript = #"""
(() => {
  "use strict";
  const byId = (id) => document.getElementById(id);
  const make = (tag, text, cls) => { const e = document.createElement(tag); if (text !== undefined) e.textContent = text; if (cls) e.className = cls; return e; };
  const rows = new Map();

  async function call(method, path, body) {
    // A GET here is the table's periodic refresh: marked as polling, so it is not traced.
    const init = { method, cache: "no-store", headers: method === "GET" ? { "X-Fleet-Poll": "1" } : {} };
    if (body !== undefined) { init.headers = { "content-type": "application/json" }; init.body = JSON.stringify(body); }
    const response = await fetch(path, init);
    const json = await response.json().catch(() => null);
    if (!response.ok) throw new Error(json && json.error ? json.error.message : "HTTP " + response.status);
    return json;
  }

  // Load: the slider and the number box move together; Apply sends the number.
  function showLoad(load) {
    byId("load-now").textContent = load.speakers + " speakers in " + load.channels + (load.channels === 1 ? " voice channel" : " voice channels") + " (up to " + load.channel_size + " per channel)";
    if (document.activeElement !== byId("load-number") && document.activeElement !== byId("load-range")) {
      byId("load-number").value = load.speakers; byId("load-range").value = load.speakers;
    }
  }
  byId("load-range").addEventListener("input", () => { byId("load-number").value = byId("load-range").value; });
  byId("load-number").addEventListener("input", () => { byId("load-range").value = byId("load-number").value; });
  byId("load-apply").addEventListener("click", async () => {
    byId("load-error").textContent = "";
    try { showLoad(await call("PUT", "load", { speakers: Number(byId("load-number").value) })); }
    catch (error) { byId("load-error").textContent = error.message; }
  });
  async function refreshLoad() {
    try { showLoad(await call("GET", "load")); byId("load-error").textContent = ""; }
    catch (error) { byId("load-now").textContent = "The voice bridge's load is unknown: " + error.message; }
  }

  // Scenarios: one row each, made once and then updated, so typing a value is not overwritten.
  function valueOf(row, scenario) {
    if (scenario.kind === "toggle") return undefined;
    const text = row.input.value.trim();
    if (text === "") return undefined;
    return scenario.kind === "number" ? Number(text) : text;
  }
  async function change(scenario, enabled) {
    const row = rows.get(scenario.key);
    row.error.textContent = "";
    try {
      const body = { enabled };
      const value = valueOf(row, scenario);
      if (enabled && value !== undefined) body.value = value;
      const list = await call("PUT", "scenarios/" + encodeURIComponent(scenario.key), body);
      draw(list);
    } catch (error) {
      row.error.textContent = error.message;
      row.toggle.checked = row.active;  // refused: nothing changed, and the value typed stays to fix
    }
  }
  function makeRow(scenario) {
    const tr = document.createElement("tr");
    const toggle = make("input"); toggle.type = "checkbox"; toggle.setAttribute("aria-label", scenario.key);
    toggle.addEventListener("change", () => change(scenario, toggle.checked));
    const first = make("td"); first.append(toggle);
    const name = make("td"); name.append(make("code", scenario.key));
    const valueCell = make("td");
    let input = null;
    if (scenario.kind === "number") {
      input = make("input"); input.type = "number"; input.min = scenario.min; input.max = scenario.max; input.step = "any";
      valueCell.append(input, " " + scenario.unit + " ");
    } else if (scenario.kind === "peer") {
      input = make("select");
      for (const peer of scenario.allowed) { const option = make("option", peer); option.value = peer; input.append(option); }
      valueCell.append(input, " ");
    }
    if (input) {
      const set = make("button", "Set", "secondary"); set.type = "button";
      set.addEventListener("click", () => change(scenario, true));
      valueCell.append(set);
    }
    const error = make("div", "", "inline-error");
    valueCell.append(error);
    const summary = make("td", scenario.summary);
    if (scenario.kind === "number") summary.append(make("div", "range " + scenario.min + "–" + scenario.max + " " + scenario.unit, "muted"));
    tr.append(first, name, valueCell, summary);
    return { tr, toggle, input, error, active: false };
  }
  function draw(list) {
    const body = byId("scenarios");
    if (rows.size === 0) body.replaceChildren();
    for (const scenario of list.scenarios) {
      if (!rows.has(scenario.key)) { const row = makeRow(scenario); rows.set(scenario.key, row); body.append(row.tr); }
      const row = rows.get(scenario.key);
      // A change the flag file has and the services are taking up (at most 2 s) shows as made.
      const value = scenario.pending != null ? scenario.pending : scenario.value;
      const active = value !== scenario.off_value;
      row.active = active;
      row.toggle.checked = active;
      row.tr.className = active ? "active" : "";
      row.tr.title = scenario.pending != null ? "taking effect (within 2 s)" : "";
      const shown = active ? value : scenario.on_value;
      if (row.input && document.activeElement !== row.input) row.input.value = shown;
    }
    const on = list.scenarios.filter((s) => (s.pending != null ? s.pending : s.value) !== s.off_value).length;
    byId("scenario-source").textContent = on + " on · flags from " + list.source;
  }
  async function refreshScenarios() {
    try { draw(await call("GET", "scenarios")); byId("scenario-error").textContent = ""; }
    catch (error) { byId("scenario-error").textContent = "Could not read the scenarios: " + error.message; }
  }
  byId("scenarios-reset").addEventListener("click", async () => {
    byId("scenario-error").textContent = "";
    try { draw(await call("POST", "scenarios/reset")); }
    catch (error) { byId("scenario-error").textContent = error.message; }
  });
  refreshLoad(); refreshScenarios();
  setInterval(refreshScenarios, 2000);
  setInterval(refreshLoad, 5000);
})();
"""#
}
