"use strict";
// The playground page: one session per tab, its state from the event stream, controls as JSON requests,
// the setup in the URL fragment. Every number shown comes from the server (the engine).
(() => {
  const draw = window.PlaygroundDraw;
  // Every name, choice and limit comes from the server (viz/live/vocabulary.py), embedded in the page.
  const vocabulary = JSON.parse(document.getElementById("vocabulary").textContent);
  const LISTS = new Set(["features", "hidden"]);
  const page = `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;  // this load of the tab
  let session = null, state = null, points = null, shape = null, columns = null;
  const explorer = explorerPanel();

  // ---- the controls, built from the server's vocabulary ----------------------------------------
  function buildControls() {
    for (const [field, choices] of Object.entries(vocabulary.choices)) {
      document.querySelector(`select[data-field="${field}"]`).replaceChildren(
        ...choices.map(([value, text]) => el("option", { value: String(value) }, text)));
    }
    for (const [field, [low, high, step]] of Object.entries(vocabulary.sliders)) {
      Object.assign(document.querySelector(`input[data-field="${field}"]`), { min: low, max: high, step });
    }
    const classes = Math.max(...Object.values(vocabulary.classes));
    byTestId("point-class").append(...Array.from({ length: classes }, (_, c) => {
      const radio = el("input", { type: "radio", name: "point-class", value: String(c) });
      radio.checked = c === 0;
      const label = el("label", {});
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
  async function call(path, body = {}) {
    const { ok, answer } = await postJson(path, { session, ...body });
    if (!ok) { showMessage(answer.error); return; }
    showMessage("");  // an error shown before is over once an action succeeds
    paint(answer.state);
  }

  const configure = (changes) => call("/api/setup", { setup: changes });

  function connect(key, first) {
    session = key;
    sessionStorage.setItem("chainrule-session", session);
    byTestId("export").href = `/api/export?${sessionQuery(session)}`;
    paint(first);
    const stream = new EventSource(`/api/stream?${sessionQuery(session)}`);
    stream.onmessage = (event) => paint(JSON.parse(event.data));
  }

  // A reload resumes the tab's session, its weights and epoch, while the server holds it.
  async function start() {
    const previous = sessionStorage.getItem("chainrule-session"), wanted = fragmentSetup();
    const uploaded = wanted.uploaded;
    delete wanted.uploaded;
    let { ok, answer } = await postJson("/api/session", { setup: wanted, replaces: previous, resume: previous, page });
    if (ok && answer.resumed) {
      const kept = answer.state;
      connect(previous, kept);
      const changes = Object.entries(wanted).filter(([key, value]) => String(value) !== String(kept.setup[key]));
      if (changes.length) configure(Object.fromEntries(changes));  // a link edited by hand
      return;
    }
    if (!ok && answer.field) {
      showMessage(`the link's setup was refused (${answer.error}); starting from the defaults`);
      ({ ok, answer } = await postJson("/api/session", { setup: {}, replaces: previous, page }));
    }
    if (!ok) { showMessage(answer.error); return; }
    connect(answer.session, answer.state);
    if (uploaded) showMessage(`the server no longer holds the uploaded ${uploaded} (it restarted, or the tab was idle `
                              + "too long): upload it again");
  }

  closeWithTab("/api/close", () => ({ session, page }));

  // ---- painting the state -----------------------------------------------------------------------
  // The dataset control names an uploaded file while its points are the data.
  function showUpload(uploaded) {
    const control = byTestId("dataset"), option = control.querySelector("option[data-upload]");
    if (!uploaded) { if (option) option.remove(); return; }
    const shown = option || control.appendChild(el("option", { "data-upload": "", value: "" }));
    shown.textContent = `${uploaded} (uploaded)`;
    control.value = "";
  }

  // An uploaded CSV's columns are standardized by its training points: the page says how.
  function showStandardization(standardize) {
    const line = byTestId("standardized");
    line.hidden = !standardize;
    if (!standardize) return;
    const column = (name, c) => `${name} = (raw − ${formatNumber(standardize.mean[c])}) / ${formatNumber(standardize.std[c])}`;
    line.textContent = `standardized by the training points: ${column("x1", 0)}, ${column("x2", 1)}`;
  }

  function showSetup(setup) {
    for (const control of document.querySelectorAll("[data-field]")) {
      const value = String(setup[control.dataset.field]);
      if (control.tagName === "SELECT" && ![...control.options].some((o) => (o.value || o.text) === value)) {
        control.append(el("option", {}, value));
      }
      control.value = value;
      const shown = document.querySelector(`output[data-for="${control.dataset.field}"]`);
      if (shown) shown.textContent = value;
    }
    byTestId("layer-count").textContent = String(setup.hidden.length);
    byTestId("add-layer").disabled = setup.hidden.length >= vocabulary.max_layers;
    byTestId("remove-layer").disabled = setup.hidden.length === 0;
  }

  function buildFeatures(setup) {
    const list = byTestId("features");
    list.replaceChildren();
    return vocabulary.features.map(([name, text]) => {
      const on = setup.features.includes(name);
      const row = el("div", { class: on ? "feature on" : "feature" });
      const toggle = el("button", { type: "button", "data-testid": "feature", "data-feature": name,
                                         "aria-pressed": String(on) }, text);
      toggle.addEventListener("click", () => configure({
        features: on ? setup.features.filter((f) => f !== name) : [...setup.features, name] }));
      row.append(toggle, el("canvas", { class: "heatmap", "data-testid": "feature-heatmap", "data-feature": name }));
      list.append(row);
      return { name, row };
    });
  }

  function buildNetwork(next) {
    const setup = next.setup, outputs = next.layers[next.layers.length - 1].biases.length;
    const features = buildFeatures(setup).filter((f) => setup.features.includes(f.name))
      .map((f) => f.row.querySelector(".heatmap"));  // edges leave from the feature's picture
    const hidden = draw.network(byTestId("layers"), setup.hidden, { resize, edit: openEditor, hoverNeuron, hoverEnd });
    const anchors = document.querySelector(".output-nodes");
    anchors.replaceChildren(...Array.from({ length: outputs }, () => el("span", "output-node")));
    columns = [features, ...hidden, [...anchors.children]];
  }

  function paint(next) {
    if (state && next.version < state.version) return;  // an older frame than what is shown
    if (next.points) { points = next.points; showStandardization(points.standardize); }
    state = next;
    const setup = next.setup, pictures = next.pictures;
    byTestId("epoch").textContent = String(next.epoch);
    byTestId("loss-train").textContent = formatNumber(next.loss_train);
    byTestId("loss-test").textContent = formatNumber(next.loss_test);
    byTestId("accuracy").textContent = next.accuracy_train === null ? MISSING
      : `${percent(next.accuracy_train)} train · ${percent(next.accuracy_test)} test`;
    byTestId("play").textContent = next.playing ? "❚❚" : "▶";
    byTestId("play").dataset.playing = String(next.playing);
    if (next.message) showMessage(next.message);
    showSetup(setup);
    showUpload(next.uploaded);
    const key = JSON.stringify([setup.features, setup.hidden, next.classes, setup.loss]);
    if (key !== shape) { shape = key; buildNetwork(next); draw.key(byTestId("colour-key"), next.classes); }
    document.querySelectorAll('[data-testid="feature-heatmap"]').forEach((canvas) => {
      const at = setup.features.indexOf(canvas.dataset.feature);
      if (at >= 0) draw.heatmap(canvas, pictures.size, pictures.features[at]);
    });
    columns.slice(1, -1).forEach((neurons, l) => neurons.forEach((neuron, j) =>
      draw.heatmap(neuron.querySelector("canvas"), pictures.size, pictures.neurons[l][j])));
    draw.output(byTestId("output-heatmap"), pictures.size, pictures.output);
    draw.edges(byTestId("edges"), document.querySelector("main"), columns, next.layers,
               { hoverEdge, hoverEnd, edit: openEditor });
    draw.points(byTestId("points"), points, pictures.extent, byTestId("show-test").checked, onPoint);
    draw.curve(byTestId("loss-curve"), next.curve);
    document.querySelectorAll('[name="point-class"]').forEach((radio) => {
      radio.disabled = Number(radio.value) >= next.classes;
    });
    writeFragment(next.uploaded ? { ...setup, uploaded: next.uploaded } : setup);
  }

  // ---- the network: hover, edit, resize ---------------------------------------------------------
  // The engine's own labels of the parameters (3Blue1Brown's notation, as nn names them): w⁽ᴸ⁾ⱼ,ₖ and b⁽ᴸ⁾ⱼ.
  function weightName(l, j, k) {
    const layer = state.layers[l];
    return k === null ? layer.bias_labels[j] : layer.weight_labels[j][k];
  }

  // The card beside the pointer on an edge, beside the whole box of a neuron (a finger's tap lands inside it).
  function showHover(lines, event, element) {
    const card = byTestId("hover");
    card.replaceChildren(...lines.map((line) => el("div", {}, line)));
    placeBeside(card, event, 12, element);
  }

  function hoverEdge(l, j, k, event) {
    const layer = state.layers[l];
    showHover([`${weightName(l, j, k)} = ${formatNumber(layer.weights[j][k])}`,
               `∂L/∂w = ${formatNumber(layer.weight_grads[j][k])}`], event);
  }

  function hoverNeuron(l, j, event) {
    const layer = state.layers[l], map = state.pictures.neurons[l][j];
    showHover([`neuron ${j + 1} of layer ${l + 1}: ${state.setup.activation}(Σ w·a + b)`,
               `heatmap range ±${formatNumber(map.scale)}`,
               `${weightName(l, j, null)} = ${formatNumber(layer.biases[j])}`,
               `∂L/∂b = ${formatNumber(layer.bias_grads[j])}`], event, event.currentTarget);
  }

  function hoverEnd() { byTestId("hover").hidden = true; }

  // The editor beside the pointer on an edge, beside a bias's box (Enter on it has no pointer); closed, the
  // keyboard's focus goes back to the box it came from.
  let editing = null;
  function openEditor(l, j, k, event) {
    const form = byTestId("editor"), layer = state.layers[l];
    form.querySelector("span").textContent = `${weightName(l, j, k)} =`;
    byTestId("edit-value").value = String(k === null ? layer.biases[j] : layer.weights[j][k]);
    form.dataset.target = JSON.stringify([l, j, k]);
    editing = k === null ? event.currentTarget : null;
    placeBeside(form, event, 0, editing);
    byTestId("edit-value").focus(); byTestId("edit-value").select();
  }

  function closeEditor() {
    byTestId("editor").hidden = true;
    if (editing && editing.isConnected) editing.focus();
  }

  byTestId("editor").addEventListener("submit", (event) => {
    event.preventDefault();
    const [layer, neuron, source] = JSON.parse(byTestId("editor").dataset.target), text = byTestId("edit-value").value.trim();
    closeEditor();
    call("/api/edit", { layer, neuron, source, value: text !== "" && Number.isFinite(Number(text)) ? Number(text) : text });
  });
  byTestId("edit-value").addEventListener("keydown", (event) => { if (event.key === "Escape") closeEditor(); });

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
    explorer.open(`point ${index}, class ${points.label[index]}, at the current weights`,
                  `/explore?${sessionQuery(session, { index })}`);
  }

  byTestId("points").addEventListener("click", (event) => {
    const box = byTestId("points").getBoundingClientRect(), extent = state.pictures.extent;
    const x1 = ((event.clientX - box.left) / box.width * 2 - 1) * extent;
    const x2 = (1 - (event.clientY - box.top) / box.height * 2) * extent;
    const label = Number(document.querySelector('[name="point-class"]:checked').value);
    call("/api/point", { x1, x2, label });
  });

  byTestId("csv").addEventListener("change", async (event) => {
    const file = await chosenFile(event.target);
    if (file !== null) call("/api/csv", { csv: file.text, name: file.name });
  });
  importOnChange(byTestId("import"), (model) => call("/api/import", { model }));

  // ---- the controls -----------------------------------------------------------------------------
  for (const control of document.querySelectorAll("[data-field]")) {
    control.addEventListener("change", () => {
      const field = control.dataset.field, value = "number" in control.dataset ? Number(control.value) : control.value;
      const changes = { [field]: value };
      if (field === "dataset") {  // a loss that fits the new data's number of classes
        const losses = vocabulary.losses_by_classes[vocabulary.classes[value]];
        if (!losses.includes(state.setup.loss)) changes.loss = losses[0];
      }
      configure(changes);
    });
  }
  byTestId("play").addEventListener("click", () => call("/api/play", { playing: !state.playing }));
  byTestId("step").addEventListener("click", () => call("/api/step"));
  byTestId("reset").addEventListener("click", () => call("/api/reset"));
  byTestId("regenerate").addEventListener("click", () => configure({ seed: (state.setup.seed + 1) % 2147483647 }));
  byTestId("add-layer").addEventListener("click", () => configure({ hidden: [...state.setup.hidden, 2] }));
  byTestId("remove-layer").addEventListener("click", () => configure({ hidden: state.setup.hidden.slice(0, -1) }));
  byTestId("show-test").addEventListener("change", () => paint(state));
  window.addEventListener("resize", () => { if (state) paint(state); });
  buildControls();
  start();
})();
