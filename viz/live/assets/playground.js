"use strict";
// The playground page: one session per tab, its state from the event stream, controls as JSON requests,
// the setup in the URL fragment. Every number shown comes from the server (the engine).
(() => {
  const draw = window.PlaygroundDraw;
  const token = document.querySelector('meta[name="token"]').content;
  const $ = (id) => document.querySelector(`[data-testid="${id}"]`);
  // Every name, choice and limit comes from the server (viz/live/vocabulary.py), embedded in the page.
  const vocabulary = JSON.parse(document.getElementById("vocabulary").textContent);
  const LISTS = new Set(["features", "hidden"]);
  let session = null, state = null, points = null, shape = null, columns = null, hoverText = null;

  const fmt = (x) => (x === null || x === undefined ? "–" : Number(x).toFixed(3));
  const query = (extra) => new URLSearchParams({ session, token, ...extra }).toString();

  function showMessage(text) { $("message").textContent = text || ""; $("message").hidden = !text; }

  // ---- the controls, built from the server's vocabulary ----------------------------------------
  function buildControls() {
    for (const [field, choices] of Object.entries(vocabulary.choices)) {
      document.querySelector(`select[data-field="${field}"]`).replaceChildren(
        ...choices.map(([value, text]) => draw.el("option", { value: String(value) }, text)));
    }
    for (const [field, [low, high, step]] of Object.entries(vocabulary.sliders)) {
      Object.assign(document.querySelector(`input[data-field="${field}"]`), { min: low, max: high, step });
    }
    const classes = Math.max(...Object.values(vocabulary.classes));
    $("point-class").append(...Array.from({ length: classes }, (_, c) => {
      const radio = draw.el("input", { type: "radio", name: "point-class", value: String(c) });
      radio.checked = c === 0;
      const label = draw.el("label", {});
      label.append(radio, ` ${c}`);
      return label;
    }));
  }

  // ---- the URL fragment: the whole setup ------------------------------------------------------
  function fragmentSetup() {
    const setup = {};
    for (const [key, value] of new URLSearchParams(location.hash.slice(1))) {
      if (LISTS.has(key)) setup[key] = value ? value.split(",").map((v) => (key === "hidden" ? Number(v) : v)) : [];
      else setup[key] = value !== "" && !Number.isNaN(Number(value)) ? Number(value) : value;
    }
    return setup;
  }

  function writeFragment(setup) {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(setup)) params.set(key, Array.isArray(value) ? value.join(",") : value);
    history.replaceState(null, "", `${location.pathname}${location.search}#${params}`);
  }

  // ---- requests ---------------------------------------------------------------------------------
  async function post(path, body) {
    const response = await fetch(path, { method: "POST", body: JSON.stringify(body),
                                         headers: { "content-type": "application/json", "x-chainrule-token": token } });
    let document_ = null;
    try { document_ = await response.json(); } catch (error) { document_ = { error: `${response.status}` }; }
    return { ok: response.ok, document: document_ };
  }

  async function call(path, body = {}) {
    const { ok, document: answer } = await post(path, { session, ...body });
    if (!ok) { showMessage(answer.error); return; }
    paint(answer.state);
  }

  const configure = (changes) => call("/api/setup", { setup: changes });

  async function start() {
    const previous = sessionStorage.getItem("chainrule-session");
    let answer = await post("/api/session", { setup: fragmentSetup(), replaces: previous });
    if (!answer.ok && answer.document.field) {
      showMessage(`the link's setup was refused (${answer.document.error}); starting from the defaults`);
      answer = await post("/api/session", { setup: {}, replaces: previous });
    }
    if (!answer.ok) { showMessage(answer.document.error); return; }
    session = answer.document.session;
    sessionStorage.setItem("chainrule-session", session);
    $("export").href = `/api/export?${query()}`;
    paint(answer.document.state);
    const stream = new EventSource(`/api/stream?${query()}`);
    stream.onmessage = (event) => paint(JSON.parse(event.data));
  }

  // a tab that closes ends its session at once, freeing its slot (a reload makes a new one anyway)
  addEventListener("pagehide", (event) => {
    if (session && !event.persisted) {
      fetch("/api/close", { method: "POST", keepalive: true, body: JSON.stringify({ session }),
                            headers: { "content-type": "application/json", "x-chainrule-token": token } });
    }
  });

  // ---- painting the state -----------------------------------------------------------------------
  function showSetup(setup) {
    for (const control of document.querySelectorAll("[data-field]")) {
      const value = String(setup[control.dataset.field]);
      if (control.tagName === "SELECT" && ![...control.options].some((o) => (o.value || o.text) === value)) {
        control.append(draw.el("option", {}, value));
      }
      control.value = value;
      const shown = document.querySelector(`output[data-for="${control.dataset.field}"]`);
      if (shown) shown.textContent = value;
    }
    $("layer-count").textContent = String(setup.hidden.length);
    $("add-layer").disabled = setup.hidden.length >= vocabulary.max_layers;
    $("remove-layer").disabled = setup.hidden.length === 0;
  }

  function buildFeatures(setup) {
    const list = $("features");
    list.replaceChildren();
    return vocabulary.features.map(([name, text]) => {
      const on = setup.features.includes(name);
      const row = draw.el("div", { class: on ? "feature on" : "feature" });
      const toggle = draw.el("button", { type: "button", "data-testid": "feature", "data-feature": name,
                                         "aria-pressed": String(on) }, text);
      toggle.addEventListener("click", () => configure({
        features: on ? setup.features.filter((f) => f !== name) : [...setup.features, name] }));
      row.append(toggle, draw.el("canvas", { class: "heatmap", "data-testid": "feature-heatmap", "data-feature": name }));
      list.append(row);
      return { name, row };
    });
  }

  function buildNetwork(next) {
    const setup = next.setup, outputs = next.layers[next.layers.length - 1].biases.length;
    const features = buildFeatures(setup).filter((f) => setup.features.includes(f.name)).map((f) => f.row);
    const hidden = draw.network($("layers"), setup.hidden, { resize, edit: openEditor, hoverNeuron, hoverEnd });
    const anchors = document.querySelector(".output-nodes");
    anchors.replaceChildren(...Array.from({ length: outputs }, () => draw.el("span", { class: "output-node" })));
    columns = [features, ...hidden, [...anchors.children]];
  }

  function paint(next) {
    if (state && next.version < state.version) return;  // an older frame than what is shown
    if (next.points) points = next.points;
    state = next;
    const setup = next.setup, pictures = next.pictures;
    $("epoch").textContent = String(next.epoch);
    $("loss-train").textContent = fmt(next.loss_train);
    $("loss-test").textContent = fmt(next.loss_test);
    $("accuracy").textContent = next.accuracy_train === null ? "–"
      : `${(100 * next.accuracy_train).toFixed(1)}% train · ${next.accuracy_test === null ? "–"
        : (100 * next.accuracy_test).toFixed(1)}% test`;
    $("play").textContent = next.playing ? "❚❚" : "▶";
    $("play").dataset.playing = String(next.playing);
    if (next.message) showMessage(next.message);
    showSetup(setup);
    const key = JSON.stringify([setup.features, setup.hidden, next.classes, setup.loss]);
    if (key !== shape) { shape = key; buildNetwork(next); }
    document.querySelectorAll('[data-testid="feature-heatmap"]').forEach((canvas) => {
      const at = setup.features.indexOf(canvas.dataset.feature);
      if (at >= 0) draw.heatmap(canvas, pictures.size, pictures.features[at]);
    });
    columns.slice(1, -1).forEach((neurons, l) => neurons.forEach((neuron, j) =>
      draw.heatmap(neuron.querySelector("canvas"), pictures.size, pictures.neurons[l][j])));
    draw.output($("output-heatmap"), pictures.size, pictures.output);
    draw.edges($("edges"), document.querySelector("main"), columns, next.layers,
               { hoverEdge, hoverEnd, edit: openEditor });
    draw.points($("points"), points, pictures.extent, $("show-test").checked, onPoint);
    draw.curve($("loss-curve"), next.curve);
    document.querySelectorAll('[name="point-class"]').forEach((radio) => {
      radio.disabled = Number(radio.value) >= next.classes;
    });
    writeFragment(setup);
  }

  // ---- the network: hover, edit, resize ---------------------------------------------------------
  // The engine's own labels of the parameters (3Blue1Brown's notation, as nn names them): w⁽ᴸ⁾ⱼ,ₖ and b⁽ᴸ⁾ⱼ.
  function weightName(l, j, k) {
    const layer = state.layers[l];
    return k === null ? layer.bias_labels[j] : layer.weight_labels[j][k];
  }

  function showHover(lines, event) {
    const card = $("hover");
    card.replaceChildren(...lines.map((line) => draw.el("div", {}, line)));
    card.style.left = `${event.pageX + 14}px`; card.style.top = `${event.pageY + 10}px`;
    card.hidden = false;
  }

  function hoverEdge(l, j, k, event) {
    const layer = state.layers[l];
    showHover([`${weightName(l, j, k)} = ${fmt(layer.weights[j][k])}`, `∂L/∂w = ${fmt(layer.weight_grads[j][k])}`],
              event);
  }

  function hoverNeuron(l, j, event) {
    const layer = state.layers[l], map = state.pictures.neurons[l][j];
    showHover([`neuron ${j + 1} of layer ${l + 1}: ${state.setup.activation}(Σ w·a + b)`,
               `heatmap range ±${fmt(map.scale)}`, `${weightName(l, j, null)} = ${fmt(layer.biases[j])}`,
               `∂L/∂b = ${fmt(layer.bias_grads[j])}`], event);
  }

  function hoverEnd() { $("hover").hidden = true; }

  function openEditor(l, j, k, event) {
    const form = $("editor"), layer = state.layers[l];
    form.querySelector("span").textContent = `${weightName(l, j, k)} =`;
    $("edit-value").value = String(k === null ? layer.biases[j] : layer.weights[j][k]);
    form.dataset.target = JSON.stringify([l, j, k]);
    form.style.left = `${event.pageX}px`; form.style.top = `${event.pageY}px`;
    form.hidden = false;
    $("edit-value").focus(); $("edit-value").select();
  }

  $("editor").addEventListener("submit", (event) => {
    event.preventDefault();
    const [layer, neuron, source] = JSON.parse($("editor").dataset.target), text = $("edit-value").value.trim();
    $("editor").hidden = true;
    call("/api/edit", { layer, neuron, source, value: text !== "" && Number.isFinite(Number(text)) ? Number(text) : text });
  });
  $("edit-value").addEventListener("keydown", (event) => { if (event.key === "Escape") $("editor").hidden = true; });

  function resize(layer, change) {
    const hidden = [...state.setup.hidden];
    hidden[layer] = Math.min(vocabulary.max_neurons, Math.max(1, hidden[layer] + change));
    configure({ hidden });
  }

  // ---- the data: points, CSV, stepping into one point's backprop --------------------------------
  function onPoint(index, event) {
    if (event.shiftKey) call("/api/point/remove", { index });
    else if (!state.playing) openExplorer(index);
  }

  function openExplorer(index) {
    $("explorer-title").textContent = `point ${index}, class ${points.label[index]}, at the current weights`;
    $("explorer").src = `/explore?${query({ index })}`;
    $("explorer-panel").hidden = false;
  }

  function closeExplorer() { $("explorer-panel").hidden = true; $("explorer").src = "about:blank"; }
  $("close-explorer").addEventListener("click", closeExplorer);
  // The explorer takes the keyboard (arrows step it); Escape, in it or here, closes it.
  $("explorer").addEventListener("load", () => { if (!$("explorer-panel").hidden) $("explorer").contentWindow.focus(); });
  window.addEventListener("message", (event) => {
    if (event.origin === location.origin && event.source === $("explorer").contentWindow && event.data === "close-explorer") closeExplorer();
  });
  document.addEventListener("keydown", (event) => { if (event.key === "Escape" && !$("explorer-panel").hidden) closeExplorer(); });

  $("points").addEventListener("click", (event) => {
    const box = $("points").getBoundingClientRect(), extent = state.pictures.extent;
    const x1 = ((event.clientX - box.left) / box.width * 2 - 1) * extent;
    const x2 = (1 - (event.clientY - box.top) / box.height * 2) * extent;
    const label = Number(document.querySelector('[name="point-class"]:checked').value);
    call("/api/point", { x1: Number(x1.toFixed(3)), x2: Number(x2.toFixed(3)), label });
  });

  async function readFile(input) { const file = input.files[0]; input.value = ""; return file ? file.text() : null; }

  $("csv").addEventListener("change", async (event) => {
    const text = await readFile(event.target);
    if (text !== null) call("/api/csv", { csv: text });
  });
  $("import").addEventListener("change", async (event) => {
    const text = await readFile(event.target);
    if (text === null) return;
    let model;
    try { model = JSON.parse(text); } catch (error) { showMessage(`import: not a JSON model file (${error.message})`); return; }
    call("/api/import", { model });
  });

  // ---- the controls -----------------------------------------------------------------------------
  for (const control of document.querySelectorAll("[data-field]")) {
    control.addEventListener("change", () => {
      const field = control.dataset.field, value = "number" in control.dataset ? Number(control.value) : control.value;
      const changes = { [field]: value };
      if (field === "dataset") {  // a loss that fits the new data's number of classes
        const losses = vocabulary.losses_by_classes[vocabulary.classes[value]];
        if (!losses.includes(state.setup.loss)) changes.loss = losses[0];
      }
      showMessage("");
      configure(changes);
    });
  }
  $("play").addEventListener("click", () => call("/api/play", { playing: !state.playing }));
  $("step").addEventListener("click", () => call("/api/step"));
  $("reset").addEventListener("click", () => call("/api/reset"));
  $("regenerate").addEventListener("click", () => configure({ seed: (state.setup.seed + 1) % 2147483647 }));
  $("add-layer").addEventListener("click", () => configure({ hidden: [...state.setup.hidden, 2] }));
  $("remove-layer").addEventListener("click", () => configure({ hidden: state.setup.hidden.slice(0, -1) }));
  $("show-test").addEventListener("change", () => paint(state));
  window.addEventListener("resize", () => { if (state) paint(state); });
  buildControls();
  start();
})();
