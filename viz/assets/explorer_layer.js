// The layer view: one box per layer, vectors and matrices as coloured cells, stepped layer by layer.
function layerView(data, page) {
  const net = data.network, steps = net.layer_steps, loss = data.loss_name;
  const element = document.querySelector('.view[data-level="layer"]');
  const row = el("div", "layer-row");
  element.replaceChildren(row);
  const image = net.inputs.image;

  function vectorCells(values, size) {
    const canvas = image && values.length === image * image ? cells(folded(values, image), Math.max(3, size / 2))
                                                            : cells(values.map((x) => [x]), size);
    return canvas;
  }

  // The weights of a layer: rows of 28 × 28 tiles when its inputs are an image, else one matrix.
  function weightCells(layer, matrix) {
    if (image && matrix[0].length === image * image) {
      const largest = largestOf(matrix.flat());
      const tiles = el("div", "tiles");
      matrix.forEach((weights, j) => {
        const tile = cells(folded(weights, image), 2, largest);
        tile.dataset.neuron = String(j);
        tile.title = `${layer.a_names[j]}: its ${weights.length} weights`;
        tiles.append(tile);
      });
      return tiles;
    }
    const size = Math.max(4, Math.min(14, Math.floor(180 / matrix[0].length)));
    return cells(matrix, size);
  }

  function box(className, heading, ...parts) {
    const section = el("section", `layer-box ${className}`, el("h3", null, heading), ...parts);
    row.append(section);
    return section;
  }

  const inputsBox = box("inputs", `inputs a⁽⁰⁾ · ${net.inputs.a.length}`, vectorCells(net.inputs.a, 12));
  inputsBox.dataset.testid = "layer-inputs";
  inputsBox.dataset.layer = "0";
  const layerBoxes = net.layers.map((layer) => {
    const f = layer.formulas;
    const weights = weightCells(layer, layer.W);
    weights.classList.add("weights");
    const activations = vectorCells(layer.a, 12), gradients = vectorCells(layer.grad_a, 12);
    gradients.classList.add("gradient");
    const section = box("layer", `layer ${layer.number} · ${layer.size} × ${f.symbol || "linear"}`,
                        math(f.forward[0][0]), math(f.forward[1][0]),
                        el("div", "matrix-row", el("figure", null, weights, el("figcaption", null, f.names[0])),
                           el("figure", null, activations, el("figcaption", null, f.names[3])),
                           el("figure", "gradient-figure", gradients, el("figcaption", null, `∂${loss}/∂${f.names[3]}`))));
    section.dataset.testid = "layer";
    section.dataset.layer = String(layer.number);
    return section;
  });
  const costBox = net.cost ? box("cost", "cost", bigMath(`${net.cost.name} = `, num(net.cost.value))) : null;
  if (costBox) costBox.dataset.layer = "cost";
  const allBoxes = [inputsBox, ...layerBoxes, costBox].filter(Boolean);

  function paint(k) {
    const step = steps[k];
    allBoxes.forEach((section) => {
      const number = section.dataset.layer === "cost" ? "cost" : Number(section.dataset.layer);
      const forward = steps.findIndex((s) => s.phase === "forward" && s.layer === number);
      const backward = steps.findIndex((s) => s.phase === "backward" && s.layer === number);
      const here = step.layer === number || (step.phase === "update" && section.dataset.testid === "layer");
      section.classList.toggle("current", here);
      section.classList.toggle("pending", forward > k);
      section.classList.toggle("visited", backward >= 0 && backward < k);
      section.classList.toggle("gradient-known", backward >= 0 && backward <= k);
    });
  }

  row.addEventListener("click", (event) => {
    const tile = event.target.closest("canvas.cells");
    const section = event.target.closest(".layer-box");
    if (tile && tile.closest(".weights") && section.dataset.testid === "layer") {
      const layer = net.layers[Number(section.dataset.layer) - 1];
      const spot = cellAt(tile, event);
      const j = tile.dataset.neuron === undefined ? spot[0] : Number(tile.dataset.neuron);
      const k = tile.dataset.neuron === undefined ? spot[1] : spot[0] * image + spot[1];
      page.inspectWeight(layer.number, j, k);
      return;
    }
    if (section && section.dataset.testid === "layer") page.openBelow("layer", Number(section.dataset.layer), 0);
  });

  const focusOf = (k) => allBoxes.find((section) => String(steps[k].layer) === section.dataset.layer) || null;
  const stepOf = (phase, layer) => steps.findIndex((s) => s.phase === phase && s.layer === layer);
  return { level: "layer", element, drawing: row, count: steps.length, steps, paint, focusOf, stepOf,
           describe: (k) => page.describeLayerStep(steps[k], k) };
}

// The (row, column) of the cell under a pointer event on a `cells` canvas.
function cellAt(canvas, event) {
  const rect = canvas.getBoundingClientRect();
  const size = Number(canvas.dataset.cell) * rect.width / canvas.width;
  return [Math.min(Number(canvas.dataset.rows) - 1, Math.floor((event.clientY - rect.top) / size)),
          Math.min(Number(canvas.dataset.columns) - 1, Math.floor((event.clientX - rect.left) / size))];
}
