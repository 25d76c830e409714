"use strict";
// The playground page: one session per tab, its state from the event stream, every action a JSON request.
// Every number shown comes from the server (the engine). playground_setup.js holds the setup's controls,
// playground_parameters.js the weights' and biases' cards and editor, network.js the drawing.
(() => {
  const draw = window.PlaygroundDraw;
  // Every name, choice and limit comes from the server (viz/live/vocabulary.py), embedded in the page.
  const vocabulary = JSON.parse(document.getElementById("vocabulary").textContent);
  const page = `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;  // this load of the tab
  let session = null, state = null, points = null, shape = null, columns = null;
  const current = () => state;
  const explorer = explorerPanel();
  const setup = window.PlaygroundSetup(vocabulary, current, configure);
  const parameters = window.PlaygroundParameters(current, (body) => call("/api/edit", body));

  // ---- requests ---------------------------------------------------------------------------------
  async function call(path, body = {}) {
    const { ok, answer } = await postJson(path, { session, ...body });
    if (!ok) { showMessage(answer.error); return; }
    showMessage("");  // an error shown before is over once an action succeeds
    paint(answer.state);
  }

  function configure(changes) { return call("/api/setup", { setup: changes }); }

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
    const previous = sessionStorage.getItem("chainrule-session"), wanted = setup.fromFragment();
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
  function buildFeatures(chosen) {
    const list = byTestId("features");
    list.replaceChildren();
    return vocabulary.features.map(([name, text]) => {
      const on = chosen.includes(name);
      const row = el("div", { class: on ? "feature on" : "feature" });
      const toggle = el("button", { type: "button", "data-testid": "feature", "data-feature": name,
                                         "aria-pressed": String(on) }, text);
      toggle.addEventListener("click", () => configure({
        features: on ? chosen.filter((f) => f !== name) : [...chosen, name] }));
      row.append(toggle, el("canvas", { class: "heatmap", "data-testid": "feature-heatmap", "data-feature": name }));
      list.append(row);
      return { name, row };
    });
  }

  function buildNetwork(next) {
    const chosen = next.setup.features, outputs = next.layers[next.layers.length - 1].biases.length;
    const features = buildFeatures(chosen).filter((f) => chosen.includes(f.name))
      .map((f) => f.row.querySelector(".heatmap"));  // edges leave from the feature's picture
    const hidden = draw.network(byTestId("layers"), next.setup.hidden, { resize, edit: parameters.openEditor,
      hoverNeuron: parameters.hoverNeuron, hoverEnd: parameters.hoverEnd });
    const anchors = document.querySelector(".output-nodes");
    anchors.replaceChildren(...Array.from({ length: outputs }, () => el("span", "output-node")));
    columns = [features, ...hidden, [...anchors.children]];
    parameters.weightKeys(columns.slice(1));
  }

  function paint(next) {
    if (state && next.version < state.version) return;  // an older frame than what is shown
    if (next.points) points = next.points;
    state = next;
    const pictures = next.pictures;
    byTestId("epoch").textContent = String(next.epoch);
    byTestId("loss-train").textContent = formatNumber(next.loss_train);
    byTestId("loss-test").textContent = formatNumber(next.loss_test);
    byTestId("accuracy").textContent = next.accuracy_train === null ? MISSING
      : `${percent(next.accuracy_train)} train · ${percent(next.accuracy_test)} test`;
    byTestId("play").textContent = next.playing ? "❚❚" : "▶";
    byTestId("play").dataset.playing = String(next.playing);
    if (next.message) showMessage(next.message);
    setup.show(next, next.points);
    const key = JSON.stringify([next.setup.features, next.setup.hidden, next.classes, next.setup.loss]);
    if (key !== shape) {  // a new network: a card of the old one goes
      shape = key;
      parameters.hoverEnd();
      buildNetwork(next);
      draw.key(byTestId("colour-key"), next.classes);
    }
    document.querySelectorAll('[data-testid="feature-heatmap"]').forEach((canvas) => {
      const at = next.setup.features.indexOf(canvas.dataset.feature);
      if (at >= 0) draw.heatmap(canvas, pictures.size, pictures.features[at]);
    });
    columns.slice(1, -1).forEach((neurons, l) => neurons.forEach((neuron, j) =>
      draw.heatmap(neuron.querySelector("canvas"), pictures.size, pictures.neurons[l][j])));
    draw.output(byTestId("output-heatmap"), pictures.size, pictures.output);
    draw.edges(byTestId("edges"), document.querySelector("main"), columns, next.layers,
               { hoverEdge: parameters.hoverEdge, hoverEnd: parameters.hoverEnd, edit: parameters.openEditor });
    parameters.redrawCards();
    draw.points(byTestId("points"), points, pictures.extent, byTestId("show-test").checked, onPoint);
    draw.curve(byTestId("loss-curve"), next.curve);
  }

  function resize(layer, change) {
    const hidden = [...state.setup.hidden];
    hidden[layer] = Math.min(vocabulary.max_neurons, Math.max(1, hidden[layer] + change));
    configure({ hidden });
  }

  // ---- the data: points, CSV, stepping into one point's backprop --------------------------------
  // A click on the plot adds a point, or removes one in the plot's remove mode (a phone has no shift key).
  const removing = () => document.querySelector('[name="plot-mode"]:checked').value === "remove";

  function onPoint(index, event) {
    if (event.shiftKey || removing()) call("/api/point/remove", { index });
    else if (!state.playing) openExplorer(index);
  }

  // The shown point nearest to a click within a fingertip's reach (a point is drawn smaller than a finger), or null.
  function pointNear(event, reach = 16) {
    let nearest = null, distance = reach;
    for (const circle of byTestId("points").querySelectorAll("circle")) {
      const box = circle.getBoundingClientRect();
      const d = Math.hypot(box.left + box.width / 2 - event.clientX, box.top + box.height / 2 - event.clientY);
      if (d <= distance) [nearest, distance] = [Number(circle.dataset.index), d];
    }
    return nearest;
  }

  function openExplorer(index) {
    explorer.open(`point ${index}, class ${points.label[index]}, at the current weights`,
                  `/explore?${sessionQuery(session, { index })}`);
  }

  byTestId("points").addEventListener("click", (event) => {
    if (removing()) {
      const index = pointNear(event);
      if (index !== null) call("/api/point/remove", { index });
      return;
    }
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

  // ---- Tab in the order the page is seen --------------------------------------------------------
  // Tab and a screen reader follow the DOM, and on a phone playground.css shows the output first and its plot
  // last: the DOM is put in the order shown, the columns by their place on the screen, the output's parts by
  // their CSS order (and the page's own order between equals). The focus stays where it was.
  const outputParts = [...document.querySelector(".output").children];
  function followLayout() {
    const main = document.querySelector("main"), focused = document.activeElement;
    const place = (column) => { const box = column.getBoundingClientRect(); return [Math.round(box.top), box.left]; };
    const columns = [...main.querySelectorAll(":scope > .column")].map((column) => [place(column), column])
      .sort(([a], [b]) => a[0] - b[0] || a[1] - b[1]).map(([, column]) => column);
    const order = (part) => Number(getComputedStyle(part).order);
    const parts = [...outputParts].sort((a, b) => order(a) - order(b));
    const inOrder = (shown, now) => shown.every((element, at) => element === now[at]);
    if (!inOrder(columns, main.querySelectorAll(":scope > .column"))) main.append(...columns);
    if (!inOrder(parts, parts[0].parentElement.children)) parts[0].parentElement.append(...parts);
    if (focused !== document.activeElement && focused.isConnected) focused.focus();
  }

  // ---- the run controls -------------------------------------------------------------------------
  byTestId("play").addEventListener("click", () => call("/api/play", { playing: !state.playing }));
  byTestId("step").addEventListener("click", () => call("/api/step"));
  byTestId("reset").addEventListener("click", () => call("/api/reset"));
  byTestId("show-test").addEventListener("change", () => paint(state));
  window.addEventListener("resize", () => { followLayout(); if (state) paint(state); });
  followLayout();
  start();
})();
