"use strict";
// Drawing what the server computed: heatmaps from quantised bytes, the network's columns and edges,
// the points and the loss curves. Nothing here computes a number of the model; it maps them to pixels.
window.PlaygroundDraw = (() => {
  const ORANGE = [245, 147, 34], PALE = [232, 234, 235], BLUE = [8, 119, 189], GREEN = [47, 160, 80];
  const CLASS_COLOURS = [ORANGE, BLUE, GREEN];
  const SVG = "http://www.w3.org/2000/svg";

  function el(tag, attributes, text) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attributes || {})) node.setAttribute(key, value);
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function svgEl(tag, attributes) {
    const node = document.createElementNS(SVG, tag);
    for (const [key, value] of Object.entries(attributes || {})) node.setAttribute(key, value);
    return node;
  }

  function bytes(base64) {
    const text = atob(base64), out = new Uint8Array(text.length);
    for (let i = 0; i < text.length; i += 1) out[i] = text.charCodeAt(i);
    return out;
  }

  function mix(a, b, t) { return [0, 1, 2].map((k) => Math.round(a[k] + (b[k] - a[k]) * t)); }

  // A byte 1..255 (128 = 0) as orange (negative) → pale → blue (positive), as in TensorFlow Playground.
  function diverging(q) {
    const t = (q - 128) / 127;
    return t < 0 ? mix(PALE, ORANGE, -t) : mix(PALE, BLUE, t);
  }

  function paint(canvas, size, colourAt) {
    canvas.width = size; canvas.height = size;
    const context = canvas.getContext("2d"), image = context.createImageData(size, size);
    for (let i = 0; i < size * size; i += 1) {
      const [r, g, b] = colourAt(i);
      image.data.set([r, g, b, 255], 4 * i);
    }
    context.putImageData(image, 0, 0);
  }

  function heatmap(canvas, size, map) {
    const cells = bytes(map.data);
    paint(canvas, size, (i) => diverging(cells[i]));
    canvas.dataset.scale = String(map.scale);
  }

  // The output: one diverging channel for two classes, or each class's colour weighed by its probability.
  function output(canvas, size, out) {
    if (out.kind === "binary") { heatmap(canvas, size, out.channels[0]); return; }
    const channels = out.channels.map((channel) => bytes(channel.data));
    paint(canvas, size, (i) => {
      let colour = [0, 0, 0];
      channels.forEach((cells, c) => {
        const weight = Math.max(0, cells[i] - 128) / 127;
        colour = colour.map((v, k) => v + weight * mix(PALE, CLASS_COLOURS[c], 0.75)[k]);
      });
      return colour;
    });
  }

  // The hidden layers as columns of neurons, each a small heatmap with a bias box; returns the elements.
  function network(container, hidden, handlers) {
    container.replaceChildren();
    const columns = hidden.map((count, layer) => {
      const column = el("div", { class: "layer" });
      const buttons = el("div", { class: "neuron-buttons" });
      const plus = el("button", { type: "button", "data-testid": "add-neuron", "data-layer": layer, title: "add a neuron" }, "+");
      const minus = el("button", { type: "button", "data-testid": "remove-neuron", "data-layer": layer,
                                   title: "remove a neuron" }, "−");
      plus.addEventListener("click", () => handlers.resize(layer, +1));
      minus.addEventListener("click", () => handlers.resize(layer, -1));
      buttons.append(plus, minus);
      column.append(buttons, el("div", { class: "neuron-count" }, `${count} neuron${count === 1 ? "" : "s"}`));
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

  function anchor(node, box, side) {
    const rect = node.getBoundingClientRect();
    return [side === "right" ? rect.right - box.left : rect.left - box.left, rect.top + rect.height / 2 - box.top];
  }

  // Edges from each input to each neuron of the next column, coloured by sign, thicker for larger |w|.
  function edges(svg, main, columns, layers, handlers) {
    const box = main.getBoundingClientRect();
    svg.setAttribute("viewBox", `0 0 ${box.width} ${box.height}`);
    svg.setAttribute("width", box.width); svg.setAttribute("height", box.height);
    svg.replaceChildren();
    const largest = Math.max(1e-9, ...layers.flatMap((layer) => layer.weights.flat().map(Math.abs)));
    layers.forEach((layer, l) => {
      layer.weights.forEach((row, j) => {
        const [x2, y2] = anchor(columns[l + 1][j], box, "left");
        row.forEach((w, k) => {
          const [x1, y1] = anchor(columns[l][k], box, "right");
          const middle = (x1 + x2) / 2;
          const path = svgEl("path", { d: `M${x1},${y1} C${middle},${y1} ${middle},${y2} ${x2},${y2}`,
                                       class: "edge", "data-testid": "edge", "data-layer": l, "data-neuron": j,
                                       "data-source": k, stroke: `rgb(${(w < 0 ? ORANGE : BLUE).join(",")})`,
                                       "stroke-width": String(0.5 + 6 * Math.abs(w) / largest) });
          path.addEventListener("mouseenter", (event) => handlers.hoverEdge(l, j, k, event));
          path.addEventListener("mouseleave", () => handlers.hoverEnd());
          path.addEventListener("click", (event) => handlers.edit(l, j, k, event));
          svg.append(path);
        });
      });
    });
  }

  // The points over the output heatmap: one circle each, data-index = the point's index on the server.
  function points(svg, data, extent, showTest, onPoint) {
    const size = svg.getBoundingClientRect().width || 300;
    svg.setAttribute("viewBox", `0 0 ${size} ${size}`);
    svg.replaceChildren();
    data.x.forEach(([x1, x2], index) => {
      if (data.test[index] && !showTest) return;
      const circle = svgEl("circle", { cx: (x1 + extent) / (2 * extent) * size, cy: (extent - x2) / (2 * extent) * size,
                                       r: 3.2, "data-testid": "point", "data-index": index,
                                       class: data.test[index] ? "point test" : "point",
                                       fill: `rgb(${CLASS_COLOURS[data.label[index]].join(",")})` });
      circle.addEventListener("click", (event) => { event.stopPropagation(); onPoint(index, event); });
      svg.append(circle);
    });
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

  return { el, heatmap, output, network, edges, points, curve };
})();
