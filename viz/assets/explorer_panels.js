// The formula panel of the neuron and layer views, and what every view shares: the update, a weight's chain.
function panels(data, scalarIndex) {
  const net = data.network, loss = data.loss_name;
  const LISTED = 16;  // terms listed one by one; more are summarised

  // A formula beside its numpy line.
  const formula = ([text, line]) => el("div", "formula-line", bigMath(text), code(line));

  // A short vector as rows of name = number; a long one as coloured cells (an image when it is one).
  function vector(title, values, names) {
    if (values.length <= LISTED * 2) {
      const list = el("div", values.length > 8 ? "operands vector wide" : "operands vector");
      values.forEach((x, i) => {
        const value = num(x);
        value.style.background = cellColour(x, largestOf(values));
        list.append(el("span", "math", names ? names[i] : `${title}${i}`), value);
      });
      return el("div", null, el("p", "note", title), list);
    }
    const image = net.inputs.image;
    const shape = image && values.length === image * image ? folded(values, image) : values.map((x) => [x]);
    return el("div", null, el("p", "note", `${title} · ${values.length} values, largest |x| = ${formatNumber(largestOf(values))}`),
              cells(shape, image ? 6 : 10));
  }

  function matrix(title, rows) {
    const size = Math.max(3, Math.min(14, Math.floor(300 / rows[0].length)));
    const canvas = cells(rows, size);
    canvas.classList.add("panel-matrix");
    return el("div", null, el("p", "note", `${title} · ${rows.length} × ${rows[0].length}`), canvas);
  }

  const layerAt = (number) => net.layers[number - 1];
  const inputsOf = (number) => (number === 1 ? net.inputs.a : layerAt(number - 1).a);
  const inputNamesOf = (number) => (number === 1 ? net.inputs.names : layerAt(number - 1).a_names);
  const gradOfInputs = (number) => (number === 1 ? net.inputs.grad : layerAt(number - 1).grad_a);

  function describeStart() {
    const sizes = [net.inputs.a.length, ...net.layers.map((layer) => layer.size)].join("-");
    return [el("h2", null, "Start"),
            el("p", null, `A ${sizes} network. The inputs a⁽⁰⁾ and the parameters W, b of each layer:`),
            vector("a⁽⁰⁾", net.inputs.a, net.inputs.names),
            note("▶ runs the forward pass, then the backward pass, then the update. Every number is one the " +
                 "scalar engine recorded (sums of its gradients); the numpy lines compute the same in matrix form.")];
  }

  function describeCost(step) {
    const last = net.layers.at(-1);
    if (step.phase === "forward") {
      return [el("h2", null, "Forward pass · the cost"), bigMath(`${net.cost.name} = `, num(net.cost.value)),
              note("The cost's own graph (the loss the model is scored with) is stepped node by node in the scalar view.")];
    }
    return [el("h2", null, "Backward pass · the cost"),
            bigMath(`∂${loss}/∂${last.formulas.names[3]}`),
            vector(`∂${loss}/∂a`, last.grad_a, last.a_names.map((name) => `∂${loss}/∂${name}`)),
            note("what the cost sends back to each output: the sum of the scalar engine's gradients through the cost's graph")];
  }

  function describeLayerForward(layer) {
    return [el("h2", null, `Forward pass · layer ${layer.number}`), formula(layer.formulas.forward[0]),
            vector(layer.formulas.names[4], inputsOf(layer.number), inputNamesOf(layer.number)),
            vector(layer.formulas.names[2], layer.z, layer.z_names), formula(layer.formulas.forward[1]),
            vector(layer.formulas.names[3], layer.a, layer.a_names)];
  }

  function describeLayerBackward(layer) {
    const f = layer.formulas, names = f.names;
    const parts = [el("h2", null, `Backward pass · layer ${layer.number}`),
                   vector(`∂${loss}/∂${names[3]}`, layer.grad_a, layer.a_names.map((n) => `∂${loss}/∂${n}`)),
                   formula(f.backward[0]), vector(names[5], layer.delta, layer.z_names.map((n) => `∂${loss}/∂${n}`)),
                   formula(f.backward[1]), matrix(`∂${loss}/∂${names[0]}`, layer.grad_W)];
    if (layer.grad_b) parts.push(formula(f.backward[2]));
    const below = gradOfInputs(layer.number);
    parts.push(formula(f.backward[3]));
    if (below) parts.push(vector(`∂${loss}/∂${names[4]}`, below, inputNamesOf(layer.number).map((n) => `∂${loss}/∂${n}`)));
    else parts.push(note("the inputs are constants: nothing flows back to them"));
    return parts;
  }

  // The lines of the generated program (tape.source(), python -m viz program) that compute a layer step.
  function generatedLines(lines) {
    if (!lines || !lines.length) return [];
    const listing = el("pre", "program", ...lines.map((line) => {
      const cut = line.indexOf("  # ");  // the generator's comment: the group's ops-table formula, muted
      const shown = cut < 0 ? el("code", null, line) : el("code", null, line.slice(0, cut), el("span", "comment", line.slice(cut)));
      shown.dataset.testid = "program-line";
      return shown;
    }));
    return [el("p", "note", "this step in the generated numpy program (tape.source()):"), listing];
  }

  function describeLayerStep(step) {
    if (step.phase === "start") return describeStart();
    if (step.phase === "update") return describeUpdate(true);
    const layer = step.layer === "cost" ? null : layerAt(step.layer);
    const parts = !layer ? describeCost(step)
                         : step.phase === "forward" ? describeLayerForward(layer) : describeLayerBackward(layer);
    return [parts[0], ...generatedLines(step.program), ...parts.slice(1)];  // under the heading: in sight
  }

  // ---- the neuron view ----------------------------------------------------------------------
  function termRows(rows, total) {
    const shown = rows.slice(0, LISTED);
    const table = el("div", "terms");
    for (const parts of shown) table.append(math(...parts));
    if (rows.length > shown.length) table.append(note(`… and ${rows.length - shown.length} more terms`));
    table.append(bigMath("= ", total));
    return table;
  }

  function describeNeuronForward(layer, j) {
    const inputs = inputsOf(layer.number), names = inputNamesOf(layer.number);
    const rows = layer.W[j].map((w, k) => [`${layer.w_names[j][k]} · ${names[k]} = `, num(w), " × ", num(inputs[k], true)]);
    if (layer.b) rows.push([`${layer.b_names[j]} = `, num(layer.b[j])]);
    const symbol = layer.formulas.symbol;
    return [el("h2", null, "Forward pass · ", el("span", "name", layer.a_names[j])),
            bigMath(`${layer.z_names[j]} = Σₖ w·a + b`), termRows(rows, num(layer.z[j])),
            bigMath(`${layer.a_names[j]} = ${symbol ? `${symbol}(${layer.z_names[j]})` : layer.z_names[j]} = `,
               num(layer.a[j]))];
  }

  // ∂C/∂a of neuron j of layer `number` (0: an input) as the sum over the next layer's neurons.
  function receivedSum(number, j) {
    const next = net.layers[number], names = number ? layerAt(number).a_names : net.inputs.names;
    const grads = number ? layerAt(number).grad_a : net.inputs.grad;
    if (!next) {
      return [bigMath(`∂${loss}/∂${names[j]} = `, num(grads[j])),
              note("from the cost: the scalar engine's gradient through the cost's graph")];
    }
    const symbol = next.formulas.symbol;
    const rows = next.W.map((row, i) => [
      `${next.w_names[i][j]} · ${symbol ? `${symbol}'(${next.z_names[i]}) · ` : ""}∂${loss}/∂${next.a_names[i]} = `,
      num(row[j]), " × ", ...(symbol ? [num(next.slope[i], true), " × "] : []), num(next.grad_a[i], true),
      " = ", num(next.terms[i][j])]);
    return [math(next.formulas.neuron[1]), bigMath(`∂${loss}/∂${names[j]} = Σᵢ`),
            termRows(rows, num(grads[j]))];
  }

  function describeNeuronBackward(step) {
    const number = step.layer, j = step.neuron;
    const name = number ? layerAt(number).a_names[j] : net.inputs.names[j];
    const parts = [el("h2", null, "Backward pass · ", el("span", "name", name)), ...receivedSum(number, j)];
    if (!number) return parts;
    const layer = layerAt(number), inputs = inputsOf(number), symbol = layer.formulas.symbol;
    parts.push(math(layer.formulas.neuron[2]),
               bigMath(`δ = ${layer.z_names[j] && `∂${loss}/∂${layer.z_names[j]}`} = `,
                  ...(symbol ? [num(layer.slope[j]), " × "] : []), num(layer.grad_a[j], true), " = ", num(layer.delta[j])),
               math(layer.formulas.neuron[3]));
    const rows = layer.W[j].map((_, k) => {
      const line = math(`∂${loss}/∂${layer.w_names[j][k]} = `, num(inputs[k]), " × ", num(layer.delta[j], true),
                        " = ", num(layer.grad_W[j][k]));
      line.classList.add("weight-line");
      line.dataset.weight = `${number}/${j}/${k}`;
      return line;
    });
    const list = el("div", "terms");
    list.append(...rows.slice(0, LISTED));
    if (rows.length > LISTED) list.append(note(`… and ${rows.length - LISTED} more weights (search for one by name)`));
    if (layer.b) list.append(math(`∂${loss}/∂${layer.b_names[j]} = δ = `, num(layer.grad_b[j])));
    parts.push(list, note("click a weight's line for its chain rule"));
    return parts;
  }

  function describeNeuronStep(step) {
    if (step.phase === "start") return describeStart();
    if (step.phase === "update") return describeUpdate(true);
    if (step.layer === "cost") return describeCost(step);
    return step.phase === "forward" ? describeNeuronForward(layerAt(step.layer), step.neuron) : describeNeuronBackward(step);
  }

  // ---- shared: the update, a chain ----------------------------------------------------------
  function describeUpdate(withLayers) {
    const update = data.update;
    const newLoss = num(update.new_loss);
    newLoss.dataset.testid = "new-loss";
    const parts = [el("h2", null, "Update · one step of ", el("span", "name", update.optimizer)),
                   ...update.formulas.map((line) => bigMath(line)),
                   el("p", null, "with learning rate lr = ", num(update.learning_rate)),
                   el("p", null, `${loss}: `, num(update.loss), " → ", newLoss, " after the step"),
                   note("The new loss comes from running the graph forward again with the new parameters; " +
                        "the step is the training optimiser's own rule, applied to this graph's gradients.")];
    if (withLayers) {
      for (const layer of net.layers) parts.push(formula(layer.formulas.update[0]), matrix(`new ${layer.formulas.names[0]}`, layer.new_W));
    }
    return parts;
  }

  function describeChain(chain, analytic) {
    const factors = el("table", "factors");
    chain.terms.forEach((term, t) => {
      for (const factor of term) {
        factors.append(el("tr", null, el("td", "math", chain.terms.length > 1 ? `path ${t + 1}: ${factor.formula}`
                                                                             : factor.formula),
                          el("td", null, num(factor.value))));
      }
    });
    const verdict = chain.agrees ? el("span", "agree", "✓ agree") : el("span", "disagree", "✗ disagree");
    verdict.dataset.testid = "gradient-check";
    return [el("h2", null, "Chain rule (autograd.explain)"), chainLines(chain), factors,
            el("p", null, "analytic ", num(analytic), " · numerical (central differences) ",
               num(chain.numerical), " ", verdict)];
  }

  // The chain's lines as a grid: the head once, then "= …" rows aligned in a proportional font.
  function chainLines(chain) {
    if (!chain.head) return el("p", "note", chain.text);
    const grid = el("div", "chain math");
    grid.dataset.testid = "chain";
    chain.rows.forEach((row, r) => grid.append(el("span", "chain-head", r ? "" : chain.head),
                                               el("span", "chain-eq", "="), el("span", "chain-row", ...words(row))));
    return grid;
  }

  // A weight of the network: its neuron-level chain, and the engine's full chain when the page has it.
  function describeWeight(number, j, k) {
    const layer = layerAt(number), name = layer.w_names[j][k];
    const symbol = layer.formulas.symbol;
    const parts = [el("h2", null, "Selected weight"), bigMath(name),
                   el("p", null, "value ", num(layer.W[j][k])),
                   math(`∂${loss}/∂${name} = ${inputNamesOf(number)[k]} · ` +
                      `${symbol ? `${symbol}'(${layer.z_names[j]}) · ` : ""}∂${loss}/∂${layer.a_names[j]}`),
                   math("= ", num(inputsOf(number)[k]), " × ", ...(symbol ? [num(layer.slope[j], true), " × "] : []),
                      num(layer.grad_a[j], true), " = ", num(layer.grad_W[j][k]))];
    const node = scalarIndex(name);
    const chain = node === undefined ? null : data.chains?.[String(node)];
    if (chain) parts.push(...describeChain(chain, layer.grad_W[j][k]));
    else parts.push(note(`autograd.explain(output, ${name}) prints its whole chain; ` +
                         (data.nodes ? "this page lists the first chains only." : "this graph is too large for the scalar view.")));
    return parts;
  }

  return { describeLayerStep, describeNeuronStep, describeUpdate, describeChain, describeWeight };
}
