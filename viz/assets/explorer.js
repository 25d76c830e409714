// The explorer's replay: shows, step by step, numbers that Python computed. It computes none.
// Three views of one backward pass (scalar, neuron, layer); this part switches between them, steps,
// zooms, searches and keeps the place in the address (#step=7, #level=neuron&step=7).
const FORMAT_VERSION = 3;  // the page data this script reads (viz/explorer_data.py FORMAT_VERSION)
const ZOOM_RANGE = [0.25, 4];
const READABLE_PX = 11;  // the smallest text on screen at the opening zoom
const data = JSON.parse(document.getElementById("explorer-data").textContent);
if (data.format !== FORMAT_VERSION) {
  const message = el("p", "format-error",
                     `This page's data has format ${JSON.stringify(data.format ?? null)}, but its script reads ` +
                     `format ${FORMAT_VERSION}: write the page again with the same chainrule (viz.explore).`);
  message.dataset.testid = "format-error";
  byTestId("formula").replaceChildren(message);
  return;
}

const scalarNames = new Map((data.nodes || []).map((node, i) => [node.name, i]));
const P = panels(data, (name) => scalarNames.get(name));
const api = {
  describeUpdate: () => P.describeUpdate(false), describeChain: P.describeChain,
  describeNeuronStep: P.describeNeuronStep, describeLayerStep: P.describeLayerStep,
  openBelow, inspectWeight: (...where) => showInspector(P.describeWeight(...where)), showInspector,
};
const views = {};
if (data.nodes) views.scalar = scalarView(data, api);
if (data.network) {
  views.neuron = neuronView(data, api);
  views.layer = layerView(data, api);
}
const graph = document.getElementById("graph");
const levelControl = byTestId("level"), jump = byTestId("jump");
for (const option of levelControl.options) {
  option.disabled = !views[option.value];
  if (option.value === "scalar" && data.scalar_refused) option.title = data.scalar_refused;
  if (option.value !== "scalar" && !data.network) option.title = "this graph is not a network of neurons";
}
let level = data.level, current = 0;
const zoomOf = {};

// ---- stepping --------------------------------------------------------------------------------
function go(k) {
  const view = views[level], last = view.count - 1;
  k = Math.max(0, Math.min(last, k));
  current = k;
  const step = view.steps[k];
  view.paint(k);
  byTestId("step-counter").textContent = `${k} / ${last}`;
  byTestId("formula").replaceChildren(...view.describe(k));
  const update = byTestId("update");
  update.hidden = !(level === "scalar" && step.phase === "update");
  if (!update.hidden && !update.childElementCount) update.append(...view.updateTable());
  if (!update.hidden) fitTable(update.querySelector(".table-fit"));
  for (const item of document.querySelectorAll(".phases li")) {
    item.classList.toggle("active", item.dataset.phase === step.phase);
  }
  byTestId("first").disabled = byTestId("prev").disabled = k === 0;
  byTestId("next").disabled = byTestId("last").disabled = k === last;
  jump.value = String(groupOf(k));
  // Inline in a notebook the page is an iframe's srcdoc (about:srcdoc): it has no address to keep the step in.
  const address = level === data.level ? `#step=${k}` : `#level=${level}&step=${k}`;
  if (location.protocol !== "about:" && location.hash !== address) history.replaceState(null, "", address);
  reveal(view.focusOf(k));
}

// ---- the steps grouped by layer: the jump list ----------------------------------------------------
let groups = [];
function groupLabel(step) {
  if (step.phase === "start" || step.phase === "update") return step.phase;
  const layer = level === "scalar" ? data.scalar_layers?.[step.node] : step.layer;
  if (layer === undefined || layer === null) return step.phase;
  return `${step.phase} · ${layer === "cost" ? "cost" : layer === 0 ? "inputs" : typeof layer === "number" ? `layer ${layer}` : layer}`;
}
function buildJumpList() {
  groups = [];
  views[level].steps.forEach((step, k) => {
    const label = groupLabel(step);
    if (!groups.length || groups[groups.length - 1][0] !== label) groups.push([label, k]);
  });
  jump.replaceChildren(...groups.map(([label, k]) => {
    const option = el("option", null, `${label} (step ${k})`);
    option.value = String(k);
    return option;
  }));
}
function groupOf(k) {
  let found = 0;
  for (const [, start] of groups) if (start <= k) found = start;
  return found;
}

// ---- levels ------------------------------------------------------------------------------------
// The step of `to` that matches step k of `from`: down through each step's links, up by the last
// finer step at or before it.
function mapStep(from, to, k) {
  if (from === to) return k;
  const step = views[from].steps[k];
  if (to === "scalar") return step.scalar ?? 0;
  if (from === "layer") return step.down ?? 0;
  if (from === "neuron" && to === "layer") return step.up ?? 0;
  const source = from === "scalar" ? k : views.neuron.steps[k].scalar;
  let found = 0;
  views[to].steps.forEach((s, i) => { if ((s.scalar ?? 0) <= source) found = i; });
  return found;
}

function setLevel(next, k) {
  level = next;
  levelControl.value = next;
  for (const view of document.querySelectorAll(".view")) view.hidden = view.dataset.level !== next;
  buildJumpList();
  setZoom(zoomOf[next] ?? openingZoom(views[next]));
  go(k);
}

// A click one level down: a layer opens the neuron view, a neuron the scalar view, at the same step.
function openBelow(from, layer, j) {
  if (from === "layer") {
    setLevel("neuron", mapStep("layer", "neuron", current));
    reveal(views.neuron.box(layer, j));
    return;
  }
  if (!views.scalar) {
    showInspector([el("h2", null, "Scalar view"),
      note(data.scalar_refused)]);
    return;
  }
  setLevel("scalar", mapStep("neuron", "scalar", current));
  const names = layer === "0" ? data.network.inputs.names : layer === "cost" ? [data.network.cost.name]
                                                                           : data.network.layers[layer - 1].a_names;
  const node = scalarNames.get(names[j]);
  if (node !== undefined) {
    views.scalar.inspect(node);
    reveal(views.scalar.selectedElement());
  }
}

// ---- zoom: the drawing's size in CSS pixels per unit of its own ------------------------------------
let zoom = 1;
function naturalSize(view) {
  if (view.drawing instanceof SVGSVGElement) return view.drawing.viewBox.baseVal;
  return { width: view.drawing.scrollWidth / (zoomOf.layer || 1), height: view.drawing.scrollHeight / (zoomOf.layer || 1) };
}
function setZoom(z) {
  const view = views[level];
  zoom = Math.max(ZOOM_RANGE[0], Math.min(ZOOM_RANGE[1], z));
  zoomOf[level] = zoom;
  if (view.drawing instanceof SVGSVGElement) {
    const box = view.drawing.viewBox.baseVal;
    view.drawing.style.width = `${box.width * zoom}px`;
    view.drawing.style.height = `${box.height * zoom}px`;
  } else view.drawing.style.zoom = String(zoom);
  byTestId("zoom-level").textContent = `${Math.round(zoom * 100)}%`;
}
const room = () => [graph.clientWidth - 24, graph.clientHeight - 24];
// Readable first: the smallest text at least READABLE_PX on screen (the view opens on the current
// region, scrolled there), the whole drawing when it fits at that size.
function openingZoom(view) {
  if (!(view.drawing instanceof SVGSVGElement)) return 1;
  const sizes = [...view.drawing.querySelectorAll("text")].map((text) => parseFloat(getComputedStyle(text).fontSize));
  const smallest = Math.min(...sizes.filter((size) => size > 0), 14);
  const fit = room()[0] / view.drawing.viewBox.baseVal.width;
  return Math.max(Math.ceil(100 * READABLE_PX / smallest) / 100, Math.min(1.5, fit));  // whole percent, up
}
byTestId("zoom-in").addEventListener("click", () => setZoom(zoom * 1.25));
byTestId("zoom-out").addEventListener("click", () => setZoom(zoom / 1.25));
byTestId("zoom-fit").addEventListener("click", () => {
  const [width, height] = room(), box = naturalSize(views[level]);
  setZoom(Math.min(width / box.width, height / box.height));
});

// ---- search: a node or parameter by name (w⁽²⁾₁,₀, or typed w2_1_0) -----------------------------
const searchKey = (text) => [...text.trim()].map((ch) => data.search_keys[ch] ?? ch).join("").replace(/^_+|_+$/g, "");
let searchIndex = null;
// The search box's example is a name of this graph: a weight of the second layer (w⁽²⁾₁,₀), else a parameter.
function searchExample() {
  const layers = data.network ? data.network.layers : [];
  const rows = layers.length ? layers[Math.min(1, layers.length - 1)].w_names : [];
  const parameter = (data.nodes || []).find((node) => node.kind === "parameter") || (data.nodes || [])[0];
  const name = rows.length ? (rows[1] || rows[0])[0] : parameter && parameter.name;
  if (!name || name.length > 12) return;  // a long label would not fit: the generic hint stays
  const alias = searchKey(name);
  byTestId("search").placeholder = `find ${name}${alias === name ? "" : ` or ${alias}`}, then Enter`;
}
searchExample();
function buildSearchIndex() {
  const index = new Map();
  const add = (name, target) => {
    for (const key of [name, searchKey(name)]) index.set(key, { ...(index.get(key) || {}), ...target, name });
  };
  for (const [name, i] of scalarNames) add(name, { scalar: i });
  if (data.network) {
    const net = data.network;
    net.inputs.names.forEach((name, k) => add(name, { unit: [0, k] }));
    for (const layer of net.layers) {
      layer.a_names.forEach((name, j) => add(name, { unit: [layer.number, j] }));
      layer.z_names.forEach((name, j) => add(name, { unit: [layer.number, j] }));
      (layer.b_names || []).forEach((name, j) => add(name, { unit: [layer.number, j] }));
      layer.w_names.forEach((row, j) => row.forEach((name, k) => add(name, { weight: [layer.number, j, k] })));
    }
  }
  return index;
}
function search(text) {
  searchIndex = searchIndex || buildSearchIndex();
  const hit = searchIndex.get(text.trim()) || searchIndex.get(searchKey(text));
  const status = byTestId("search-status");
  if (!hit) {
    status.textContent = `no node named “${text.trim()}”`;
    return;
  }
  status.textContent = "";
  if (level !== "scalar" && !hit.unit && !hit.weight && views.scalar) setLevel("scalar", current);
  if (level === "scalar") {
    if (hit.scalar === undefined) { setLevel("neuron", current); search(text); return; }
    go(views.scalar.find(hit.scalar));
    reveal(views.scalar.selectedElement());
    return;
  }
  const [layer, j, k] = hit.weight || hit.unit;
  const view = views[level];
  if (level === "neuron") go(view.stepOf("backward", layer, j));
  else {
    const receiving = hit.weight ? layer : layer + 1;  // a⁽ᴸ⁾ receives its gradient at layer L+1's step
    go(receiving > data.network.layers.length ? view.stepOf("backward", "cost") : view.stepOf("backward", receiving));
  }
  if (hit.weight) api.inspectWeight(layer, j, k);
}
byTestId("search").addEventListener("keydown", (event) => {
  if (event.key === "Enter") search(event.target.value);
  event.stopPropagation();  // typing a name never steps
});

// ---- controls --------------------------------------------------------------------------------
byTestId("first").addEventListener("click", () => go(0));
byTestId("prev").addEventListener("click", () => go(current - 1));
byTestId("next").addEventListener("click", () => go(current + 1));
byTestId("last").addEventListener("click", () => go(views[level].count - 1));
// after a choice the arrows step again (a focused menu would take them)
levelControl.addEventListener("change", () => {
  setLevel(levelControl.value, mapStep(level, levelControl.value, current));
  levelControl.blur();
});
jump.addEventListener("change", () => { go(Number(jump.value)); jump.blur(); });
document.addEventListener("keydown", (event) => {
  // Inside the playground's "step into" window, Escape asks the playground to close it.
  if (event.key === "Escape" && window.parent !== window) window.parent.postMessage("close-explorer", location.origin);
  if (event.altKey || event.ctrlKey || event.metaKey || event.target.closest?.("select, input")) return;
  const moves = { ArrowRight: current + 1, ArrowLeft: current - 1, Home: 0, End: views[level].count - 1 };
  if (!(event.key in moves)) return;
  event.preventDefault();
  go(moves[event.key]);
});
byTestId("formula").addEventListener("click", (event) => {
  const line = event.target.closest(".weight-line");
  if (line) api.inspectWeight(...line.dataset.weight.split("/").map(Number));
});

function placeFromHash() {
  const match = /^#(?:level=(scalar|neuron|layer)&)?step=(\d+)$/.exec(location.hash);
  const wanted = match && match[1] && views[match[1]] ? match[1] : data.level;
  return [wanted, match ? Number(match[2]) : 0];
}
window.addEventListener("resize", () => { if (!byTestId("update").hidden) fitTable(byTestId("update").querySelector(".table-fit")); });
window.addEventListener("hashchange", () => {
  const [wanted, k] = placeFromHash();
  if (wanted !== level) setLevel(wanted, k);
  else go(k);
});
setLevel(...placeFromHash());
