// The scalar view: dot's drawing of every Value, stepped node by node (viz/explorer_data.py's nodes and steps).
function scalarView(data, page) {
  const nodes = data.nodes, steps = data.steps;
  const element = document.querySelector('.view[data-level="scalar"]');
  const svg = element.querySelector("svg");

  // ---- when each node is computed, visited, and receives gradient ---------------------------
  const forwardAt = nodes.map((node) => (node.parents.length ? Infinity : 0));
  const visitAt = nodes.map(() => Infinity);
  const gradEvents = nodes.map(() => []);  // [step, gradient after it], in step order
  const phaseIndex = [];  // position within the phase
  const phaseSize = { start: 0, forward: 0, backward: 0, update: 0 };
  steps.forEach((step, k) => {
    phaseIndex.push(++phaseSize[step.phase]);
    if (step.phase === "forward") forwardAt[step.node] = k;
    if (step.phase !== "backward") return;
    visitAt[step.node] = k;
    if (!gradEvents[step.node].length) gradEvents[step.node].push([k, step.upstream]);
    for (const c of step.contributions) gradEvents[c.parent].push([k, c.after]);
  });

  function gradientAt(i, k) {
    let found = null;
    for (const [at, value] of gradEvents[i]) {
      if (at > k) break;
      found = value;
    }
    return found;
  }

  // ---- the drawing: dot's <g id="{node.id}"> and <g id="{node.id}_op"> groups (viz/dot.py) ----------
  const views = nodes.map((node) => {
    const value = document.getElementById(node.id);
    const op = document.getElementById(`${node.id}_op`);
    // a record's cells: [name,] data, grad (the last two); a constant's one cell is its number
    const texts = value && node.kind !== "constant" ? value.querySelectorAll("text") : [];
    const edges = node.parents.map((_, k) => document.getElementById(`${node.id}_in${k}`));
    edges.push(document.getElementById(`${node.id}_out`));
    return {
      value, op, edges: edges.filter(Boolean),
      valueClass: value ? `${value.getAttribute("class")}${node.kind === "parameter" ? " param" : ""}` : "",
      opClass: op ? op.getAttribute("class") : "",
      gradText: texts.length >= 2 ? texts[texts.length - 1] : null,
      dataText: texts.length >= 2 ? texts[texts.length - 2] : null,
      dataShown: texts.length >= 2 ? texts[texts.length - 2].textContent : "",
      key: null,
    };
  });

  const nodeOfGroup = new Map();  // a drawing's <g> (value or op) -> the index of its node
  views.forEach((view, i) => [view.value, view.op].forEach((group) => group && nodeOfGroup.set(group, i)));

  let current = 0, selected = -1, activeEdges = [];

  function nodeClasses(i, k, step, receivers) {
    const classes = [];
    if (forwardAt[i] > k) classes.push("pending");
    if (step.node === i || (step.phase === "update" && nodes[i].kind === "parameter")) classes.push("current");
    else if (receivers.has(i)) classes.push(receivers.get(i) ? "accumulating" : "receiving");
    else if (visitAt[i] < k) classes.push("visited");
    if (i === selected) classes.push("selected");
    return classes.join(" ");
  }

  const NOT_YET = "grad ?";  // a gradient still to come

  function gradLabel(i, k) {
    const gradient = gradientAt(i, k);
    return gradient === null ? NOT_YET : `grad ${formatNumber(gradient)}`;
  }

  function paint(k) {
    current = k;
    const step = steps[k];
    const receivers = new Map();  // parent -> whether this step adds to a gradient it already had
    for (const c of step.contributions || []) receivers.set(c.parent, receivers.get(c.parent) || c.accumulates);
    views.forEach((view, i) => {
      const classes = nodeClasses(i, k, step, receivers);
      const grad = gradLabel(i, k);
      const key = `${classes}|${grad}`;
      if (key === view.key || !view.value) return;
      view.key = key;
      view.value.setAttribute("class", `${view.valueClass} ${classes}`);
      if (view.op) view.op.setAttribute("class", `${view.opClass} ${classes.replace("accumulating", "")}`);
      if (view.dataText) view.dataText.textContent = forwardAt[i] > k ? "data ?" : view.dataShown;
      if (view.gradText) {
        view.gradText.textContent = grad;
        view.gradText.classList.toggle("grad-known", grad !== NOT_YET);
        view.gradText.classList.toggle("grad-new", receivers.has(i));
      }
    });
    for (const edge of activeEdges) edge.classList.remove("active");
    activeEdges = step.node === undefined ? [] : views[step.node].edges;
    for (const edge of activeEdges) edge.classList.add("active");
  }

  // ---- panels --------------------------------------------------------------------------------
  function describeStart() {
    const leaves = nodes.filter((node) => !node.parents.length && node.kind !== "constant");
    const list = el("div", "operands");
    const shown = leaves.slice(0, 24);
    for (const leaf of shown) list.append(el("span", "math", leaf.name), num(leaf.data));
    if (leaves.length > shown.length) list.append(el("span", "note", `… and ${leaves.length - shown.length} more`));
    return [el("h2", null, "Start"), el("p", null, "The leaves hold the inputs and parameters:"), list,
            note("▶ runs the forward pass node by node, then the backward pass in the engine's order, " +
                 "then the update.")];
  }

  function describeForward(step, k) {
    const node = nodes[step.node];
    const operands = el("div", "operands");
    for (const p of node.parents) operands.append(el("span", "math", nodes[p].name), num(nodes[p].data));
    const heading = node.name === node.expression ? node.expression : `${node.name} = ${node.expression}`;
    return [el("h2", null, `Forward pass · ${phaseIndex[k]} of ${phaseSize.forward}`),
            bigMath(heading), operands, bigMath("= ", num(node.data)),
            note(`op ${node.symbol} (${node.op}), run by its forward rule in the ops table`)];
  }

  function describeContribution(c, upstream) {
    const box = el("div", c.accumulates ? "contribution accumulates" : "contribution");
    const assign = c.accumulates ? el("span", "plus-equals", " += ") : " = ";
    box.append(math(c.formula, " = ", num(c.local)),
               math(c.gradient_name, assign, num(c.local), " × ", num(upstream, true), " = ", num(c.added)));
    if (c.accumulates) {
      box.append(math(c.gradient_name, " = ", num(c.before), " + ", num(c.added, true), " = ", num(c.after)));
    }
    box.append(note(`rule: ${c.rule}`));
    return box;
  }

  function describeBackward(step, k) {
    const node = nodes[step.node];
    const parts = [el("h2", null, `Backward pass · ${phaseIndex[k]} of ${phaseSize.backward}`),
                   el("p", null, "At ", el("b", "math", node.name), " the upstream gradient is ",
                      el("span", "math", step.upstream_name), " = ", num(step.upstream)),
                   note("each operand gets local derivative × upstream gradient:")];
    for (const c of step.contributions) parts.push(describeContribution(c, step.upstream));
    if (!step.contributions.length) parts.push(note("nothing to pass back: every operand is a constant"));
    return parts;
  }

  function updateTable() {
    const heads = ["parameter", "w", `∂${data.loss_name}/∂w`, ...data.update.state_names, "step", "new w"];
    const table = el("table", null, el("thead", null, el("tr", null, ...heads.map((name) => el("th", null, name)))));
    const body = el("tbody");
    for (const row of data.update.rows) {
      const numbers = [row.data, row.grad, ...row.state, row.step, row.new];
      // each number carries its column's name, shown beside it when the rows are stacked (a narrow panel)
      const tr = el("tr", null, el("td", "math name", nodes[row.node].name),
                    ...numbers.map((x, c) => el("td", { "data-column": heads[c + 1] }, num(x))));
      tr.dataset.testid = "update-row";
      tr.dataset.node = String(row.node);
      body.append(tr);
    }
    table.append(body);
    return [el("h2", null, "Parameters after the step"), el("div", "table-fit", table)];
  }

  const describers = { start: describeStart, forward: describeForward, backward: describeBackward,
                       update: () => page.describeUpdate() };

  function inspect(i) {
    selected = i;
    const node = nodes[i];
    const parts = [el("h2", null, "Selected node"), bigMath(node.name),
                   note(node.op ? `${node.kind} · op ${node.symbol} (${node.op})` : node.kind)];
    if (node.expression && node.expression !== node.name) parts.push(math(`${node.name} = ${node.expression}`));
    parts.push(el("p", null, "value ", num(node.data)),
               node.kind === "constant" ? note("a number written in the expression: it gets no gradient")
                                        : el("p", null, el("span", "math", node.gradient_name), " = ", num(node.grad)));
    const chain = data.chains[String(i)];
    if (chain) parts.push(...page.describeChain(chain, node.grad));
    else if (node.kind === "parameter") {
      parts.push(note(`This graph is large: chains are listed for the first ${data.update.rows.length -
                       data.chains_left_out} parameters only (autograd.explain(output, wrt) prints any of them).`));
    }
    page.showInspector(parts);
    views.forEach((view) => { view.key = null; });
    paint(current);
  }

  svg.addEventListener("click", (event) => {
    const group = event.target.closest("g.node");
    if (nodeOfGroup.has(group)) inspect(nodeOfGroup.get(group));
  });

  // The backward step after which node i's gradient is complete (for search).
  function receivedAt(i) {
    const events = gradEvents[i];
    return events.length ? events[events.length - 1][0] : (forwardAt[i] === Infinity ? 0 : forwardAt[i]);
  }

  return {
    level: "scalar", element, drawing: svg, count: steps.length, steps, paint, updateTable,
    describe: (k) => describers[steps[k].phase](steps[k], k),
    focusOf: (k) => (steps[k].node === undefined ? null : views[steps[k].node].value),
    find: (i) => { inspect(i); return receivedAt(i); },
    selectedElement: () => (selected >= 0 ? views[selected].value : null), inspect,
  };
}
