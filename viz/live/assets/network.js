"use strict";
// Drawing what the server computed: heatmaps from quantised bytes, the network's columns and edges,
// the points and the loss curves. Nothing here computes a number of the model; it maps them to pixels.
window.PlaygroundDraw = (() => {
  // Orange is negative and class 0, blue positive and class 1, green class 2 (the page's colour key).
  const ORANGE = [245, 147, 34], PALE = [232, 234, 235], BLUE = [8, 119, 189];
  const SURFACE = [245, 246, 247], TINTS = [[253, 212, 165], [178, 212, 240], [180, 225, 190]];  // light: the output
  const CLASS_COLOURS = [[190, 78, 0], [0, 85, 150], [12, 115, 45]];  // saturated, dark: the points on it

  function mix(a, b, t) { return [0, 1, 2].map((k) => Math.round(a[k] + (b[k] - a[k]) * t)); }

  // A byte 1..255 (128 = 0) as orange (negative) → pale → blue (positive), as in TensorFlow Playground.
  function diverging(q) {
    const t = (q - 128) / 127;
    return t < 0 ? mix(PALE, ORANGE, -t) : mix(PALE, BLUE, t);
  }

  function heatmap(canvas, size, map) {
    const cells = base64Bytes(map.data);
    paintPixels(canvas, size, (i) => diverging(cells[i]));
    canvas.dataset.scale = String(map.scale);
  }

  // The output as a light surface the points stay readable on: the likelier class's tint, lighter where the
  // network is less sure (two classes: one channel from −1, class 0, to 1; more: each class's probability).
  function output(canvas, size, out) {
    const channels = out.channels.map((channel) => base64Bytes(channel.data));
    if (out.kind === "binary") {
      paintPixels(canvas, size, (i) => {
        const t = (channels[0][i] - 128) / 127;
        return mix(SURFACE, TINTS[t < 0 ? 0 : 1], Math.abs(t));
      });
    } else {
      const floor = 1 / channels.length;
      paintPixels(canvas, size, (i) => {
        let best = 0;
        channels.forEach((cells, c) => { if (cells[i] > channels[best][i]) best = c; });
        const p = (channels[best][i] - 128) / 127;
        return mix(SURFACE, TINTS[best], Math.max(0, (p - floor) / (1 - floor)));
      });
    }
    canvas.dataset.scale = "1";
  }

  // The hidden layers as columns of neurons, each a small heatmap with a bias box; returns the elements.
  function network(container, hidden, handlers) {
    container.replaceChildren();
    const columns = hidden.map((count, layer) => {
      const column = el("div", "layer");
      const buttons = el("div", "neuron-buttons");
      const plus = el("button", { type: "button", "data-testid": "add-neuron", "data-layer": layer, title: "add a neuron" }, "+");
      const minus = el("button", { type: "button", "data-testid": "remove-neuron", "data-layer": layer,
                                   title: "remove a neuron" }, "−");
      plus.addEventListener("click", () => handlers.resize(layer, +1));
      minus.addEventListener("click", () => handlers.resize(layer, -1));
      buttons.append(plus, minus);
      column.append(buttons, el("div", "neuron-count", `${count} neuron${count === 1 ? "" : "s"}`));
      const neurons = [];
      for (let j = 0; j < count; j += 1) {
        const neuron = el("div", { class: "neuron", "data-layer": layer, "data-neuron": j });
        const canvas = el("canvas", { "data-testid": "neuron-heatmap", "data-layer": layer, "data-neuron": j,
                                      class: "heatmap" });
        const bias = el("button", { type: "button", class: "bias", "data-testid": "bias", "data-layer": layer,
                                    "data-neuron": j, title: "bias: click to edit" });
        neuron.append(canvas, bias);
        neuron.addEventListener("mouseenter", (event) => handlers.hoverNeuron(layer, j, event));
        neuron.addEventListener("mouseleave", () => handlers.hoverEnd());
        bias.addEventListener("click", (event) => handlers.edit(layer, j, null, event));
        column.append(neuron);
        neurons.push(neuron);
      }
      container.append(column);
      return neurons;
    });
    return columns;
  }

  // The curve from a node's right side to the next column's node: to its left side, or to its bottom when
  // that node sits above the node's whole column (the output over the network on a phone): then right, past
  // the column (its buttons and neuron count stay clickable), straight up, and in from below.
  function edgePath(from, to, box) {
    const a = from.getBoundingClientRect(), b = to.getBoundingClientRect();
    const column = from.parentElement.getBoundingClientRect();
    const x1 = a.right - box.left, y1 = a.top + a.height / 2 - box.top;
    if (b.bottom <= column.top) {
      const x2 = b.left + b.width / 2 - box.left, y2 = b.bottom - box.top;
      const side = Math.max(x1, x2, column.right - box.left) + 8;
      return `M${x1},${y1} C${side},${y1} ${side},${y1} ${side},${y1 - 12} L${side},${y2 + 24} ` +
             `C${side},${y2 + 8} ${x2},${y2 + 12} ${x2},${y2}`;
    }
    const x2 = b.left - box.left, y2 = b.top + b.height / 2 - box.top, middle = (x1 + x2) / 2;
    return `M${x1},${y1} C${middle},${y1} ${middle},${y2} ${x2},${y2}`;
  }

  // Edges from each input to each neuron of the next column, coloured by sign, thicker for larger |w|; each
  // has a wide transparent stroke above everything else, so a mouse reaches it along its whole length.
  function edges(svg, main, columns, layers, handlers) {
    const box = main.getBoundingClientRect();
    svg.setAttribute("viewBox", `0 0 ${box.width} ${box.height}`);
    svg.setAttribute("width", box.width); svg.setAttribute("height", box.height);
    svg.replaceChildren();
    const largest = Math.max(1e-9, ...layers.flatMap((layer) => layer.weights.flat().map(Math.abs)));
    const all = layers.flatMap((layer, l) => layer.weights.flatMap((row, j) => row.map((w, k) => ({ l, j, k, w }))));
    all.sort((a, b) => Math.abs(a.w) - Math.abs(b.w));  // the heavier edges on top, for the eye and the mouse
    for (const { l, j, k, w } of all) {
      const d = edgePath(columns[l][k], columns[l + 1][j], box);
      const edge = svgEl("g", { class: "edge", "data-testid": "edge", "data-layer": l, "data-neuron": j,
                                "data-source": k });
      edge.append(svgEl("path", { d, class: "line", stroke: `rgb(${(w < 0 ? ORANGE : BLUE).join(",")})`,
                                  "stroke-width": String(0.5 + 6 * Math.abs(w) / largest) }),
                  svgEl("path", { d, class: "hit" }));
      edge.addEventListener("mouseenter", (event) => handlers.hoverEdge(l, j, k, event));
      edge.addEventListener("mouseleave", () => handlers.hoverEnd());
      edge.addEventListener("click", (event) => handlers.edit(l, j, k, event));
      svg.append(edge);
    }
  }

  // The points over the output heatmap: one circle each, data-index = the point's index on the server.
  function points(svg, data, extent, showTest, onPoint) {
    const size = svg.getBoundingClientRect().width || 300;
    svg.setAttribute("viewBox", `0 0 ${size} ${size}`);
    svg.replaceChildren();
    data.x.forEach(([x1, x2], index) => {
      if (data.test[index] && !showTest) return;
      const circle = svgEl("circle", { cx: (x1 + extent) / (2 * extent) * size, cy: (extent - x2) / (2 * extent) * size,
                                       r: 4, "data-testid": "point", "data-index": index,
                                       class: data.test[index] ? "point test" : "point",
                                       fill: `rgb(${CLASS_COLOURS[data.label[index]].join(",")})` });
      circle.addEventListener("click", (event) => { event.stopPropagation(); onPoint(index, event); });
      svg.append(circle);
    });
  }

  // The colour key: what orange and blue (and green) mean on the edges, the neuron heatmaps and the output.
  function key(container, classes) {
    const rgb = (colour) => `rgb(${colour.join(",")})`, names = ["orange", "blue", "green"];
    const swatch = el("span", "swatch");
    swatch.style.background = `linear-gradient(to right, ${rgb(ORANGE)}, ${rgb(PALE)}, ${rgb(BLUE)})`;
    const rows = [[swatch, "edges and neuron heatmaps: orange negative, blue positive"]];
    CLASS_COLOURS.slice(0, classes).forEach((colour, c) => {
      const dot = el("span", "dot");
      dot.style.background = rgb(colour);
      rows.push([dot, `class ${c}; the output is ${names[c]} where the network predicts it`]);
    });
    const faint = el("span", "swatch");
    faint.style.background = `linear-gradient(to right, ${rgb(SURFACE)}, ${rgb(TINTS[0])})`;
    rows.push([faint, "paler: less sure · black ring: a test point"]);
    container.replaceChildren(...rows.flatMap(([sample, text]) => [sample, el("span", {}, text)]));
  }

  // The train (dark) and test (grey) loss over the epochs shown.
  function curve(canvas, samples) {
    const context = canvas.getContext("2d"), { width, height } = canvas;
    context.clearRect(0, 0, width, height);
    const values = samples.flatMap((s) => [s[1], s[2]]).filter((v) => v !== null);
    if (samples.length < 2 || !values.length) return;
    const top = Math.max(...values) || 1;
    [[2, "#999"], [1, "#222"]].forEach(([column, colour]) => {
      context.beginPath(); context.strokeStyle = colour; context.lineWidth = 1.5;
      samples.forEach((s, i) => {
        if (s[column] === null) return;
        const x = i / (samples.length - 1) * width, y = height - s[column] / top * (height - 2) - 1;
        if (i === 0) context.moveTo(x, y); else context.lineTo(x, y);
      });
      context.stroke();
    });
  }

  return { heatmap, output, network, edges, points, curve, key };
})();
