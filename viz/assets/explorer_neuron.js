// The neuron view: one box per neuron (Σ w·a + b → σ), stepped neuron by neuron (viz/explorer_levels.py).
const BOX = { width: 178, height: 74, gap: 14, column: 150, line: 16, font: 13, cell: 14 };
const COMPACT = 40;  // a column of more units is drawn as a grid of small cells (784 inputs as 28 × 28)
const MAX_EDGES = 2500;  // more weights than this: only the current neuron's edges are drawn

function neuronView(data, page) {
  const net = data.network, steps = net.neuron_steps, loss = data.loss_name;
  const element = document.querySelector('.view[data-level="neuron"]');
  const layers = net.layers;
  // columns: the inputs, each layer, the cost
  const columns = [{ number: 0, size: net.inputs.a.length, names: net.inputs.names }];
  for (const layer of layers) columns.push({ number: layer.number, size: layer.size, names: layer.a_names });
  if (net.cost) columns.push({ number: "cost", size: 1, names: [net.cost.name] });

  const forwardAt = new Map(), backwardAt = new Map();  // "L/j" -> step
  steps.forEach((step, k) => {
    const key = `${step.layer}/${step.neuron ?? 0}`;
    if (step.phase === "forward") forwardAt.set(key, k);
    if (step.phase === "backward") backwardAt.set(key, k);
  });

  // ---- layout: left to right, each column centred ------------------------------------------
  const place = columns.map((column) => {
    const compact = column.size > COMPACT;
    const across = compact ? (net.inputs.image || Math.ceil(Math.sqrt(column.size))) : 1;
    const height = compact ? Math.ceil(column.size / across) * BOX.cell
                           : column.size * (BOX.height + BOX.gap) - BOX.gap;
    return { compact, across, width: compact ? across * BOX.cell : BOX.width, height };
  });
  const tallest = Math.max(...place.map((p) => p.height)) + 60;
  let x = 20;
  for (const p of place) { p.x = x; p.y = 40 + (tallest - 60 - p.height) / 2; x += p.width + BOX.column; }
  const width = x - BOX.column + 20;

  const svg = svgEl("svg", { viewBox: `0 0 ${width} ${tallest}`, class: "neurons", role: "img" });
  const edgeLayer = svgEl("g", { class: "edges" }), boxLayer = svgEl("g", { class: "boxes" });
  svg.append(edgeLayer, boxLayer);
  element.replaceChildren(svg);

  function anchor(c, j, side) {
    const p = place[c];
    if (p.compact) {
      return [p.x + (j % p.across + 0.5) * BOX.cell, p.y + (Math.floor(j / p.across) + 0.5) * BOX.cell];
    }
    return [p.x + (side === "out" ? BOX.width : 0), p.y + j * (BOX.height + BOX.gap) + BOX.height / 2];
  }

  const boxes = columns.map((column, c) => {
    const p = place[c];
    columns[c].header = svgEl("text", { x: p.x, y: p.y - 14, class: "column-head" },
                              c === 0 ? "inputs" : column.number === "cost" ? "cost"
                                      : `layer ${column.number} · ${layers[c - 1].formulas.neuron[0]}`);
    boxLayer.append(columns[c].header);
    return column.names.map((name, j) => {
      const group = svgEl("g", { class: "neuron", "data-testid": "neuron", "data-layer": column.number,
                                  "data-neuron": j, tabindex: -1 });
      if (p.compact) {
        const [cx, cy] = anchor(c, j);
        const cell = svgEl("rect", { x: cx - BOX.cell / 2, y: cy - BOX.cell / 2, width: BOX.cell, height: BOX.cell,
                                     fill: cellColour(net.inputs.a[j], largestOf(net.inputs.a)) });
        cell.append(svgEl("title", {}, `${name} = ${formatNumber(net.inputs.a[j])}`));
        group.append(cell);
        boxLayer.append(group);
        return { group, texts: null, c, j };
      }
      const top = p.y + j * (BOX.height + BOX.gap);
      group.append(svgEl("rect", { x: p.x, y: top, width: BOX.width, height: BOX.height, rx: 8 }));
      const texts = [0, 1, 2, 3].map((row) => svgEl("text", { x: p.x + 10, y: top + 17 + row * BOX.line,
                                                                class: row ? "line" : "name" }));
      texts[0].textContent = name;
      group.append(...texts);
      boxLayer.append(group);
      return { group, texts, c, j, key: null };
    });
  });

  const weightCount = layers.reduce((sum, layer) => sum + layer.size * layer.W[0].length, 0);
  const edges = [];  // [from column, from j, to column, to j, path]
  function edge(c, k, j, weight, largest) {
    const [x1, y1] = anchor(c - 1, k, "out"), [x2, y2] = anchor(c, j, "in");
    const line = svgEl("line", { x1, y1, x2, y2, class: weight >= 0 ? "positive" : "negative",
                                 "stroke-width": 0.4 + 2.2 * Math.abs(weight) / (largest || 1) });
    edgeLayer.append(line);
    edges.push([c - 1, k, c, j, line]);
  }
  if (weightCount <= MAX_EDGES) {
    layers.forEach((layer, index) => {
      const largest = largestOf(layer.W.flat());
      layer.W.forEach((row, j) => row.forEach((w, k) => edge(index + 1, k, j, w, largest)));
    });
  }
  if (net.cost) columns.at(-2).names.forEach((_, j) => edge(columns.length - 1, j, 0, 1, 1));

  // ---- painting one step --------------------------------------------------------------------
  function values(c) {
    if (c === 0) return { a: net.inputs.a, grad: net.inputs.grad };
    if (columns[c].number === "cost") return { a: [net.cost.value], grad: [1] };
    return { a: layers[c - 1].a, grad: layers[c - 1].grad_a };
  }

  function state(c, j, k) {
    const key = `${columns[c].number}/${j}`;
    const step = steps[k];
    const computed = c === 0 || (forwardAt.get(key) ?? Infinity) <= k;
    const done = (backwardAt.get(key) ?? Infinity) <= k;
    const here = step.layer === columns[c].number && (step.neuron ?? 0) === j;
    const receiving = step.phase === "backward" && here;
    let cls = computed ? "" : "pending";
    if (here || (step.phase === "update" && c > 0 && columns[c].number !== "cost")) cls += " current";
    else if (done) cls += " visited";
    return { cls, computed, done: done || receiving };
  }

  let current = 0, activeEdges = [];
  function paint(k) {
    current = k;
    boxes.forEach((column, c) => column.forEach((box) => {
      const { cls, computed, done } = state(c, box.j, k);
      const { a, grad } = values(c);
      const symbol = columns[c].number === "cost" ? loss : "a";
      const lines = box.texts ? [c > 0 && columns[c].number !== "cost" ? layers[c - 1].formulas.neuron[0] : "",
                                 computed ? `${symbol} = ${formatNumber(a[box.j])}` : `${symbol} = ?`,
                                 columns[c].number === "cost" ? "" :
                                   (done && grad ? `∂${loss}/∂a = ${formatNumber(grad[box.j])}` : `∂${loss}/∂a ?`)] : [];
      const key = `${cls}|${lines.join("|")}`;
      if (key === box.key) return;
      box.key = key;
      box.group.setAttribute("class", `neuron ${cls}`);
      lines.forEach((line, row) => { box.texts[row + 1].textContent = line; });
    }));
    for (const line of activeEdges) line.classList.remove("active");
    activeEdges = [];
    const step = steps[k];
    const c = columns.findIndex((column) => column.number === step.layer);
    if (c >= 0 && step.phase !== "update") {
      const j = step.neuron ?? 0;
      for (const [from, fj, to, tj, line] of edges) {
        const into = step.phase === "forward" && to === c && tj === j;
        const outOf = step.phase === "backward" && from === c && fj === j;
        if (into || outOf) { line.classList.add("active"); activeEdges.push(line); }
      }
    }
  }

  svg.addEventListener("click", (event) => {
    const group = event.target.closest("g.neuron");
    if (group) page.openBelow("neuron", group.dataset.layer, Number(group.dataset.neuron));
  });

  const describe = (k) => page.describeNeuronStep(steps[k], k);
  const focusOf = (k) => {
    const step = steps[k];
    const c = columns.findIndex((column) => column.number === step.layer);
    return c >= 0 ? boxes[c][step.neuron ?? 0].group : null;
  };
  const stepOf = (phase, layer, neuron) => (phase === "forward" ? forwardAt : backwardAt).get(`${layer}/${neuron}`);
  return { level: "neuron", element, drawing: svg, count: steps.length, steps, paint, describe, focusOf, stepOf,
           box: (layer, j) => boxes[columns.findIndex((column) => column.number === layer)]?.[j]?.group };
}
