"use strict";
// The digit lab's page: one session per tab, its state from the event stream, controls as JSON requests.
// Every number shown comes from the server (the engine); the page draws the canvas and sends the grid.
(() => {
  const CANVAS = 28, LABEL_PX = 11;
  let session = null, state = null, useBatch = false;
  const ink = new Float64Array(CANVAS * CANVAS);  // the drawing, each cell a multiple of 1/255 in [0, 1]

  const explorer = explorerPanel();

  // ---- requests ---------------------------------------------------------------------------------
  async function call(path, body = {}) {
    const { ok, answer } = await postJson(path, { session, ...body });
    if (!ok) { showMessage(answer.error); return null; }
    if (answer.state) paint(answer.state);
    return answer;
  }

  async function start() {
    const previous = sessionStorage.getItem("chainrule-lab-session");
    const { ok, answer } = await postJson("/digits/api/session", { setup: {}, replaces: previous });
    if (!ok) { showMessage(answer.error); return; }
    session = answer.session;
    sessionStorage.setItem("chainrule-lab-session", session);
    paint(answer.state);
    const stream = new EventSource(`/digits/api/stream?${sessionQuery(session)}`);
    stream.onmessage = (event) => paint(JSON.parse(event.data));
  }

  // ---- pictures ---------------------------------------------------------------------------------
  function grey(canvas, values, side) {  // values in [0, 1]: white paper, black ink
    paintPixels(canvas, side, (i) => {
      const level = 255 - Math.round(Math.min(1, Math.max(0, values[i])) * 255);
      return [level, level, level];
    });
  }
  function signed(canvas, cells, side) {  // quantised bytes (128 is zero): blue positive, red negative
    paintPixels(canvas, side, (i) => {
      const t = Math.max(-1, Math.min(1, (cells[i] - 128) / 127));
      return t >= 0 ? [255 - 222 * t, 255 - 153 * t, 255 - 83 * t] : [255 + 63 * t, 255 + 198 * t, 255 + 196 * t];
    });
  }
  const imageValues = (picture) => Array.from(base64Bytes(picture.data), (b) => (b - 128) / 127 * picture.scale);

  function paintTiles(box, tiles, side, key) {
    const cells = base64Bytes(tiles.data), size = side * side;
    while (box.children.length > tiles.count) box.lastChild.remove();
    while (box.children.length < tiles.count) {
      box.append(el("canvas", { "data-testid": box.dataset.testid === "weight-tiles" ? "weight-tile" : "gradient-tile",
                                title: `neuron ${box.children.length} of the first hidden layer` }));
    }
    [...box.children].forEach((canvas, n) => signed(canvas, cells.subarray(n * size, (n + 1) * size), side));
    key.replaceChildren(`−${formatNumber(tiles.scale)} `, el("i"), ` +${formatNumber(tiles.scale)} (one scale for all)`);
  }

  // ---- the network ------------------------------------------------------------------------------
  function node(name, attributes, parent) {
    const element = svgEl(name, attributes);
    parent.append(element);
    return element;
  }
  function paintNetwork(example, side) {
    const svg = byTestId("network");
    svg.replaceChildren();
    const layers = example.layers, width = 520, height = 420, left = 150;
    // The outputs' labels at least LABEL_PX on screen, however small the drawing is shown (a phone), and
    // the room on their right for them.
    const shown = svg.getBoundingClientRect();
    const scale = Math.min(shown.width / width, shown.height / height) || 1, font = Math.max(12, LABEL_PX / scale);
    const xs = layers.map((_, n) => left + 40 + (n + 0.5) * (width - left - 100 * font / 12) / layers.length);
    const ys = layers.map((layer) => layer.a.map((_, j) => 20 + (j + 0.5) * (height - 40) / layer.a.length));
    const strongest = Math.max(1e-12, ...example.edges.flat().map((edge) => Math.abs(edge[2])));
    example.edges.forEach((edges, n) => edges.forEach(([from, to, value]) => node("line", {
      x1: xs[n], y1: ys[n][from], x2: xs[n + 1], y2: ys[n + 1][to], "stroke-width": 0.5 + 2.5 * Math.abs(value) / strongest,
      stroke: value >= 0 ? "#2166ac" : "#c0392b", opacity: 0.2 + 0.6 * Math.abs(value) / strongest }, svg)));
    const picture = node("foreignObject", { x: 0, y: height / 2 - 60, width: 120, height: 120 }, svg);
    const input = el("canvas");
    input.style.cssText = "width:120px;height:120px;image-rendering:pixelated;border:1px solid #ccc";
    grey(input, imageValues(example.image), side);
    picture.append(input);
    layers.forEach((layer, n) => layer.a.forEach((a, j) => {
      const last = n === layers.length - 1, radius = last ? 9 : Math.min(9, (height - 40) / layer.a.length / 2.4);
      const level = Math.round(255 * (1 - Math.max(0, Math.min(1, a))));
      const circle = node("circle", { cx: xs[n], cy: ys[n][j], r: radius, fill: `rgb(${level},${level},${level})` }, svg);
      circle.dataset.testid = "neuron";
      circle.dataset.layer = n + 1; circle.dataset.index = j;
      circle.dataset.text = `neuron ${j} of layer ${n + 1}\nz = ${formatNumber(layer.z[j])}\na = ${formatNumber(a)}\nb = ${formatNumber(layer.b[j])}`;
      if (last) node("text", { x: xs[n] + 14, y: ys[n][j] + font / 3, "font-size": font,
                               "font-weight": j === example.prediction ? 700 : 400 }, svg).textContent = `${j}  ${formatNumber(a)}`;
    }));
  }
  const tooltip = byTestId("tooltip");
  byTestId("network").addEventListener("mousemove", (event) => {
    const target = event.target.dataset && event.target.dataset.text;
    tooltip.hidden = !target;
    if (target) { tooltip.textContent = target; placeBeside(tooltip, event, 12, event.target); }
  });
  byTestId("network").addEventListener("mouseleave", () => { tooltip.hidden = true; });

  // ---- nudges -----------------------------------------------------------------------------------
  function paintNudges(example) {
    const outputs = example.layers[example.layers.length - 1].nudge;
    const largest = Math.max(1e-12, ...outputs.map(Math.abs));
    const box = byTestId("nudges");
    box.replaceChildren(...outputs.map((value, j) => {
      const bar = el("div", "bar"), share = 26 * Math.abs(value) / largest;
      bar.style.cssText = `height:${share}px;top:${value >= 0 ? 30 - share : 30}px;background:${value >= 0 ? "#2166ac" : "#c0392b"}`;
      return el("div", { class: "nudge", "data-testid": "nudge", "data-value": value,
                         title: `−∂C/∂a of output ${j} = ${formatNumber(value)}` }, bar, el("div", "digit", j));
    }));
    byTestId("hidden-nudges").replaceChildren(...example.layers.slice(0, -1).map((layer, n) => {
      const row = el("div", { class: "layer", title: `layer ${n + 1}: −∂C/∂a for each neuron` });
      const top = Math.max(1e-12, ...layer.nudge.map(Math.abs));
      row.style.gridTemplateColumns = `repeat(${layer.nudge.length}, 1fr)`;
      row.append(...layer.nudge.map((value, j) => {
        const cell = el("div", { class: "cell", title: `neuron ${j}: ${formatNumber(value)}` }), t = Math.abs(value) / top;
        cell.style.background = value >= 0 ? `rgba(33,102,172,${t})` : `rgba(192,57,43,${t})`;
        return cell;
      }));
      return row;
    }));
  }

  // ---- training ---------------------------------------------------------------------------------
  function paintCurves(curve) {
    const canvas = byTestId("curves"), context = canvas.getContext("2d");
    context.clearRect(0, 0, canvas.width, canvas.height);
    const finite = curve.flatMap((p) => [p[2], p[3]]).filter((v) => v !== null);
    if (curve.length < 2 || !finite.length) return;
    const top = Math.max(...finite), first = curve[0][0], last = curve[curve.length - 1][0] || 1;
    [[2, "#2166ac"], [3, "#e67e22"]].forEach(([column, colour]) => {
      context.beginPath(); context.strokeStyle = colour;
      curve.filter((p) => p[column] !== null).forEach((p, i) => {
        const x = 4 + (p[0] - first) / Math.max(1, last - first) * (canvas.width - 8), y = canvas.height - 4 - p[column] / top * (canvas.height - 8);
        if (i) context.lineTo(x, y); else context.moveTo(x, y);
      });
      context.stroke();
    });
  }
  function paintConfusion(confusion) {
    const table = byTestId("confusion"), largest = Math.max(1, ...confusion.flat());
    const header = el("tr", null, el("th"), ...confusion.map((_, p) => el("th", null, p)));
    table.replaceChildren(header, ...confusion.map((row, t) => {
      const line = el("tr", null, el("th", null, t));
      line.append(...row.map((count, p) => {
        const button = el("button", { type: "button", "data-testid": "confusion-cell", "data-true": t, "data-predicted": p },
                          count);
        const share = count / largest;
        button.style.background = t === p ? `rgba(33,102,172,${share})` : `rgba(192,57,43,${Math.min(1, 4 * share)})`;
        button.style.color = share > 0.5 ? "#fff" : "#222";
        button.addEventListener("click", () => showCell(t, p));
        return el("td", null, button);
      }));
      return line;
    }));
  }
  async function showCell(t, p) {
    const response = await fetch(`/digits/api/cell?${sessionQuery(session, { true: t, predicted: p })}`);
    const answer = await response.json();
    if (!response.ok) { showMessage(answer.error); return; }
    const box = byTestId("cell-images");
    box.replaceChildren(...answer.indices.slice(0, 40).map((index) => {
      const button = el("button", { type: "button", "data-testid": "cell-image", "data-index": index,
                                    title: `test image ${index}: a ${t} predicted as ${p}` }, index);
      button.addEventListener("click", () => pick({ index }));
      return button;
    }));
    if (!answer.indices.length) box.textContent = `no test image of ${t} is predicted as ${p}`;
  }

  // ---- one repaint from the state -------------------------------------------------------------
  function paint(next) {
    state = next;
    const side = next.data.side, example = next.example;
    showMessage(next.message);
    byTestId("data-source").textContent = `${next.data.source}: ${next.data.train} training and ${next.data.test} test images.` +
      (next.data.hint ? ` ${next.data.hint}` : "");
    byTestId("play").hidden = next.playing; byTestId("pause").hidden = !next.playing;
    byTestId("epoch").textContent = formatNumber(next.epoch);
    byTestId("accuracy-test").textContent = percent(next.accuracy_test);
    for (const select of document.querySelectorAll("[data-field]")) {
      const value = String(next.setup[select.dataset.field]);
      if (![...select.options].some((option) => option.value === value)) select.append(new Option(value));
      select.value = value;
    }
    byTestId("numbers").textContent = `step ${next.step} · training cost ${formatNumber(next.cost_train)} · accuracy ` +
      `${percent(next.accuracy_train)} · test cost ${formatNumber(next.cost_test)} on ${next.tested} test images`;
    grey(byTestId("preprocessed"), imageValues(example.image), side);
    byTestId("prediction").textContent = example.prediction;
    byTestId("cost").textContent = formatNumber(example.cost);
    byTestId("target").textContent = `against y = ${example.target}` + (example.label === null ? " (the prediction: say which digit you meant)" : "");
    byTestId("source").textContent = `shown: ${example.source}` + (example.label === null ? "" : `, a ${example.label}`);
    paintNetwork(example, side);
    paintNudges(example);
    const batch = useBatch && next.batch_tiles;
    paintTiles(byTestId("gradient-tiles"), batch ? next.batch_tiles : example.gradient_tiles, side, byTestId("gradient-key"));
    if (useBatch && !next.batch_tiles) byTestId("gradient-key").textContent = "no mini-batch yet: press step";
    paintTiles(byTestId("weight-tiles"), next.tiles, side, byTestId("weight-key"));
    paintCurves(next.curve);
    paintConfusion(next.confusion);
  }

  // ---- drawing: a brush on the 28x28 grid -----------------------------------------------------
  const board = byTestId("canvas");
  let last = null;
  function dab(x, y) {  // full ink within half a cell of the pen, fading to none at 1.5 cells
    for (let row = Math.floor(y - 2); row <= y + 2; row++) {
      for (let column = Math.floor(x - 2); column <= x + 2; column++) {
        if (row < 0 || column < 0 || row >= CANVAS || column >= CANVAS) continue;
        const distance = Math.hypot(column + 0.5 - x, row + 0.5 - y);
        const value = Math.round(255 * Math.max(0, Math.min(1, 1.5 - distance))) / 255;
        ink[row * CANVAS + column] = Math.max(ink[row * CANVAS + column], value);
      }
    }
  }
  function penAt(event) {
    const box = board.getBoundingClientRect();
    return [(event.clientX - box.left) / box.width * CANVAS, (event.clientY - box.top) / box.height * CANVAS];
  }
  function stroke(to) {
    const from = last || to, steps = Math.max(1, Math.ceil(Math.hypot(to[0] - from[0], to[1] - from[1]) * 4));
    for (let i = 1; i <= steps; i++) dab(from[0] + (to[0] - from[0]) * i / steps, from[1] + (to[1] - from[1]) * i / steps);
    last = to;
    grey(board, ink, CANVAS);
  }
  function sendDrawing() {
    const image = [];
    for (let row = 0; row < CANVAS; row++) image.push(Array.from(ink.subarray(row * CANVAS, (row + 1) * CANVAS)));
    const label = byTestId("label").value;
    return call("/digits/api/draw", { image, label: label === "" ? null : Number(label) });
  }
  board.addEventListener("pointerdown", (event) => { board.setPointerCapture(event.pointerId); last = null; stroke(penAt(event)); });
  board.addEventListener("pointermove", (event) => { if (last) stroke(penAt(event)); });
  const lift = () => { if (last) { last = null; sendDrawing(); } };
  board.addEventListener("pointerup", lift);
  board.addEventListener("pointercancel", lift);
  function clearBoard() { ink.fill(0); grey(board, ink, CANVAS); }
  byTestId("clear").addEventListener("click", () => { clearBoard(); sendDrawing(); });
  // A test image replaces the drawing: the board is cleared, so it never shows what the network no longer sees.
  const pick = (which) => { clearBoard(); return call("/digits/api/pick", which); };
  byTestId("label").addEventListener("change", () => { if (ink.some((v) => v > 0)) sendDrawing(); });

  // ---- controls ---------------------------------------------------------------------------------
  for (let digit = 0; digit < 10; digit++) {
    byTestId("label").append(new Option(String(digit)));
    const button = el("button", { type: "button", "data-digit": digit,
                                  title: `the next test image of a ${digit} (misclassified ones first)` }, digit);
    button.addEventListener("click", () => pick({ digit }));
    byTestId("pick").append(button);
  }
  byTestId("play").addEventListener("click", () => call("/digits/api/play", { playing: true }));
  byTestId("pause").addEventListener("click", () => call("/digits/api/play", { playing: false }));
  byTestId("step").addEventListener("click", () => call("/digits/api/step"));
  byTestId("reset").addEventListener("click", () => call("/digits/api/reset"));
  byTestId("batch-toggle").addEventListener("change", (event) => { useBatch = event.target.checked; if (state) paint(state); });
  for (const select of document.querySelectorAll("[data-field]")) {
    select.addEventListener("change", () => call("/digits/api/setup", { setup: {
      [select.dataset.field]: "number" in select.dataset ? Number(select.value) : select.value } }));
  }
  byTestId("check").addEventListener("click", async () => {
    const { ok, answer } = await postJson("/digits/api/check", { session });
    if (!ok) { showMessage(answer.error); return; }
    const table = byTestId("check-result");
    const cells = (tag, texts) => el("tr", null, ...texts.map((text) => el(tag, null, text)));
    table.replaceChildren(cells("th", ["parameter", "engine ∂C/∂w", "central difference"]),
                          ...answer.check.map((entry) => cells("td", [entry.name, formatNumber(entry.engine),
                                                                      formatNumber(entry.numeric)])));
    table.hidden = false;
  });
  byTestId("step-into").addEventListener("click", () => explorer.open(
    state ? `${state.example.source}, against y = ${state.example.target}` : "",
    `/digits/explore?${sessionQuery(session)}`));
  byTestId("export").addEventListener("click", () => { location.href = `/digits/api/export?${sessionQuery(session)}`; });
  importOnChange(byTestId("import"), (model) => call("/digits/api/import", { model }));

  closeWithTab("/digits/api/close", () => ({ session }));
  grey(board, ink, CANVAS);
  start();
})();
