// The explorer's replay: shows, step by step, numbers that Python computed. It computes none.
// Everything from the data is put on the page as text (textContent / append), never as markup.
"use strict";
(function () {
  const FORMAT_VERSION = 2;  // the page data this script reads (viz/explorer_data.py FORMAT_VERSION)
  const data = JSON.parse(document.getElementById("explorer-data").textContent);
  const byTestId = (id) => document.querySelector(`[data-testid="${id}"]`);
  if (data.format !== FORMAT_VERSION) {
    const message = el("p", "format-error",
                       `This page's data has format ${JSON.stringify(data.format ?? null)}, but its script reads ` +
                       `format ${FORMAT_VERSION}: write the page again with the same chainrule (viz.explore).`);
    message.dataset.testid = "format-error";
    byTestId("formula").replaceChildren(message);
    return;
  }
  const nodes = data.nodes, steps = data.steps, lastStep = steps.length - 1;
  const graph = document.getElementById("graph");
  const svg = graph.querySelector("svg");

  // ---- text helpers ------------------------------------------------------------------------
  function el(tag, className, ...children) {
    const element = document.createElement(tag);
    if (className) element.className = className;
    for (const child of children) element.append(child instanceof Node ? child : String(child));
    return element;
  }

  // The drawing's style: four decimals, scientific notation when that would hide the value.
  function fmt(x) {
    if (x === null || x === undefined) return "—";
    if (typeof x === "string") return x;
    if (x === 0 || (Math.abs(x) >= 1e-3 && Math.abs(x) < 1e6)) return x.toFixed(4);
    return x.toExponential(3);
  }

  function num(x, wrapNegative) {
    const text = fmt(x);
    const span = el("span", "num", wrapNegative && typeof x === "number" && x < 0 ? `(${text})` : text);
    span.title = String(x);
    span.dataset.value = String(x);
    return span;
  }

  const math = (...parts) => el("p", "math", ...parts);
  const note = (text) => el("p", "note", text);

  // ---- when each node is computed, visited, and receives gradient ---------------------------
  const forwardAt = nodes.map((node) => (node.parents.length ? Infinity : 0));
  const visitAt = nodes.map(() => Infinity);
  const gradEvents = nodes.map(() => []);  // [step, gradient after it], in step order
  const phaseIndex = [];  // [position within the phase, size of the phase]
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

  let current = -1, selected = -1, activeEdges = [];

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
    return gradient === null ? NOT_YET : `grad ${fmt(gradient)}`;
  }

  function paintGraph(k) {
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
                 "then one gradient-descent step.")];
  }

  function describeForward(step, k) {
    const node = nodes[step.node];
    const operands = el("div", "operands");
    for (const p of node.parents) operands.append(el("span", "math", nodes[p].name), num(nodes[p].data));
    const heading = node.name === node.expression ? node.expression : `${node.name} = ${node.expression}`;
    return [el("h2", null, `Forward pass · ${phaseIndex[k]} of ${phaseSize.forward}`),
            el("p", "math big", heading), operands, el("p", "math big", "= ", num(node.data)),
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

  function describeUpdate() {
    const update = data.update;
    const newLoss = num(update.new_loss);
    newLoss.dataset.testid = "new-loss";
    return [el("h2", null, "Update · one step of gradient descent"),
            el("p", "math big", `w ← w − lr · ∂${data.loss_name}/∂w`),
            el("p", null, "with learning rate lr = ", num(update.learning_rate)),
            el("p", null, `${data.loss_name}: `, num(update.loss), " → ", newLoss,
               " after the step"),
            note("The new loss comes from running the graph forward again with the new parameters.")];
  }

  function updateTable() {
    const head = el("tr", null, el("th", null, "parameter"), el("th", null, "w"),
                    el("th", null, `∂${data.loss_name}/∂w`), el("th", null, `lr · ∂${data.loss_name}/∂w`),
                    el("th", null, "new w"));
    const table = el("table", null, el("thead", null, head));
    const scroller = el("div", "table-scroll", table);
    const body = el("tbody");
    for (const row of data.update.rows) {
      const tr = el("tr", null, el("td", "math", nodes[row.node].name), el("td", null, num(row.data)),
                    el("td", null, num(row.grad)), el("td", null, num(row.step)), el("td", null, num(row.new)));
      tr.dataset.testid = "update-row";
      tr.dataset.node = String(row.node);
      body.append(tr);
    }
    table.append(body);
    return [el("h2", null, "Parameters after the step"), scroller];
  }

  const describe = { start: describeStart, forward: describeForward, backward: describeBackward,
                     update: describeUpdate };

  function inspect(i) {
    selected = i;
    const node = nodes[i];
    const parts = [el("h2", null, "Selected node"), el("p", "math big", node.name),
                   note(node.op ? `${node.kind} · op ${node.symbol} (${node.op})` : node.kind)];
    if (node.expression && node.expression !== node.name) parts.push(math(`${node.name} = ${node.expression}`));
    parts.push(el("p", null, "value ", num(node.data)),
               node.kind === "constant" ? note("a number written in the expression: it gets no gradient")
                                        : el("p", null, el("span", "math", node.gradient_name), " = ", num(node.grad)));
    const chain = data.chains[String(i)];
    if (chain) parts.push(...describeChain(chain, node));
    else if (node.kind === "parameter") {
      parts.push(note(`This graph is large: chains are listed for the first ${data.update.rows.length -
                       data.chains_left_out} parameters only (autograd.explain(output, wrt) prints any of them).`));
    }
    byTestId("inspector").replaceChildren(...parts);
    views.forEach((view) => { view.key = null; });
    paintGraph(current);
  }

  function describeChain(chain, node) {
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
            el("p", null, "analytic ", num(node.grad), " · numerical (central differences) ",
               num(chain.numerical), " ", verdict)];
  }

  // The chain's lines as a grid: the head once, then "= …" rows aligned in a proportional font.
  function chainLines(chain) {
    if (!chain.head) return el("p", "note", chain.text);
    const grid = el("div", "chain math");
    grid.dataset.testid = "chain";
    chain.rows.forEach((row, r) => grid.append(el("span", "chain-head", r ? "" : chain.head),
                                               el("span", "chain-eq", "="), el("span", "chain-row", row)));
    return grid;
  }

  // ---- stepping --------------------------------------------------------------------------------
  function stepFromHash() {
    const match = /^#step=(\d+)$/.exec(location.hash);
    return match ? Math.min(Number(match[1]), lastStep) : 0;
  }

  function go(k) {
    k = Math.max(0, Math.min(lastStep, k));
    current = k;
    const step = steps[k];
    paintGraph(k);
    byTestId("step-counter").textContent = `${k} / ${lastStep}`;
    byTestId("formula").replaceChildren(...describe[step.phase](step, k));
    const update = byTestId("update");
    update.hidden = step.phase !== "update";
    if (!update.hidden && !update.childElementCount) update.append(...updateTable());
    for (const item of document.querySelectorAll(".phases li")) {
      item.classList.toggle("active", item.dataset.phase === step.phase);
    }
    byTestId("first").disabled = byTestId("prev").disabled = k === 0;
    byTestId("next").disabled = byTestId("last").disabled = k === lastStep;
    // Inline in a notebook the page is an iframe's srcdoc (about:srcdoc): it has no address to keep the step in.
    const addressable = location.protocol !== "about:";
    if (addressable && location.hash !== `#step=${k}`) history.replaceState(null, "", `#step=${k}`);
    if (step.node !== undefined) reveal(views[step.node].value);
  }

  function reveal(element) {
    if (!element) return;
    const box = element.getBoundingClientRect(), frame = graph.getBoundingClientRect();
    const inside = box.top >= frame.top && box.bottom <= frame.bottom && box.left >= frame.left &&
                   box.right <= frame.right;
    if (!inside) element.scrollIntoView({ block: "center", inline: "center" });
  }

  // ---- zoom: the drawing's size in CSS pixels per dot point -----------------------------------
  const box = svg.viewBox.baseVal;
  let zoom = 1;
  function setZoom(z) {
    zoom = Math.max(0.05, Math.min(4, z));
    svg.style.width = `${box.width * zoom}px`;
    svg.style.height = `${box.height * zoom}px`;
  }
  const room = () => [graph.clientWidth - 24, graph.clientHeight - 24];
  setZoom(Math.min(1.5, Math.max(0.6, room()[0] / box.width)));
  byTestId("zoom-in").addEventListener("click", () => setZoom(zoom * 1.25));
  byTestId("zoom-out").addEventListener("click", () => setZoom(zoom / 1.25));
  byTestId("zoom-fit").addEventListener("click", () => {
    const [width, height] = room();
    setZoom(Math.min(width / box.width, height / box.height));
  });

  byTestId("first").addEventListener("click", () => go(0));
  byTestId("prev").addEventListener("click", () => go(current - 1));
  byTestId("next").addEventListener("click", () => go(current + 1));
  byTestId("last").addEventListener("click", () => go(lastStep));
  document.addEventListener("keydown", (event) => {
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    const moves = { ArrowRight: current + 1, ArrowLeft: current - 1, Home: 0, End: lastStep };
    if (!(event.key in moves)) return;
    event.preventDefault();
    go(moves[event.key]);
  });
  window.addEventListener("hashchange", () => go(stepFromHash()));
  svg.addEventListener("click", (event) => {
    const group = event.target.closest("g.node");
    if (nodeOfGroup.has(group)) inspect(nodeOfGroup.get(group));
  });

  go(stepFromHash());
})();
