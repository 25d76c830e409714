"use strict";
// The network's parameters by hand: the card beside an edge or a neuron with its value and gradient, and the
// editor that sets one weight or bias on the server. Labels (w⁽ᴸ⁾ⱼ,ₖ, b⁽ᴸ⁾ⱼ) and numbers are the server's.
window.PlaygroundParameters = (current, edit) => {
  // The engine's own labels of the parameters (3Blue1Brown's notation, as nn names them).
  function parameterName(l, j, k) {
    const layer = current().layers[l];
    return k === null ? layer.bias_labels[j] : layer.weight_labels[j][k];
  }

  // The card beside the pointer on an edge, beside the whole box of a neuron (a finger's tap lands inside it).
  // It follows the numbers: each new state redraws it in place (`redrawCards`), as training or an edit
  // changes them under a pointer that stays still.
  let redraw = null;
  function showHover(lines, event, element, again) {
    const card = byTestId("hover");
    card.replaceChildren(...lines.map((line) => el("div", {}, line)));
    placeBeside(card, event, 12, element);
    redraw = again;
  }

  function hoverEdge(l, j, k, event) {
    const layer = current().layers[l], at = { clientX: event.clientX, clientY: event.clientY };
    showHover([`${parameterName(l, j, k)} = ${formatNumber(layer.weights[j][k])}`,
               `∂L/∂w = ${formatNumber(layer.weight_grads[j][k])}`], at, null, () => hoverEdge(l, j, k, at));
  }

  function hoverNeuron(l, j, event) {
    const state = current(), layer = state.layers[l], map = state.pictures.neurons[l][j];
    const box = event.currentTarget, at = { clientX: event.clientX, clientY: event.clientY, currentTarget: box };
    showHover([`neuron ${j + 1} of layer ${l + 1}: ${state.setup.activation}(Σ w·a + b)`,
               `heatmap range ±${formatNumber(map.scale)}`,
               `${parameterName(l, j, null)} = ${formatNumber(layer.biases[j])}`,
               `∂L/∂b = ${formatNumber(layer.bias_grads[j])}`], at, box, () => hoverNeuron(l, j, at));
  }

  function hoverEnd() { byTestId("hover").hidden = true; redraw = null; }  // (a new network's drawing ends it too)

  // The editor beside the pointer on an edge, beside a bias's box (Enter on it has no pointer); closed, the
  // keyboard's focus goes back to the control it came from (`back`: a bias's box, a weight's key).
  let editing = null;
  function openEditor(l, j, k, event, back = k === null ? event.currentTarget : null) {
    const form = byTestId("editor"), layer = current().layers[l];
    form.querySelector("span").textContent = `${parameterName(l, j, k)} =`;
    byTestId("edit-value").value = String(k === null ? layer.biases[j] : layer.weights[j][k]);
    form.dataset.target = JSON.stringify([l, j, k]);
    editing = back;
    placeBeside(form, event, 0, k === null ? back : null);
    byTestId("edit-value").focus(); byTestId("edit-value").select();
  }

  function closeEditor() {
    byTestId("editor").hidden = true;
    if (editing && editing.isConnected) editing.focus();
  }

  byTestId("editor").addEventListener("submit", (event) => {
    event.preventDefault();
    const [layer, neuron, source] = JSON.parse(byTestId("editor").dataset.target), text = byTestId("edit-value").value.trim();
    closeEditor();
    edit({ layer, neuron, source, value: text !== "" && Number.isFinite(Number(text)) ? Number(text) : text });
  });
  byTestId("edit-value").addEventListener("keydown", (event) => { if (event.key === "Escape") closeEditor(); });

  // ---- the keyboard's way to a weight --------------------------------------------------------------
  // Each weight has a key: a button without a box of its own, in the Tab order after its neuron's bias box
  // (`targets`: each layer's neurons, the elements its edges end at). Focused, it lights its edge, on top, with
  // the edge's card at its middle; Enter opens the editor there, as a click on the edge does.
  function weightKeys(targets) {
    current().layers.forEach((layer, l) => layer.weight_labels.forEach((labels, j) => targets[l][j].append(
      ...labels.map((label, k) => {
        const key = el("button", { type: "button", class: "weight-key", "data-testid": "weight", "data-layer": l,
                                   "data-neuron": j, "data-source": k }, `weight ${label}`);
        key.addEventListener("focus", showFocusedWeight);
        key.addEventListener("blur", () => { litEdge(null); hoverEnd(); });
        key.addEventListener("click", () => openEditor(l, j, k, middle(edgeOf(l, j, k)), key));
        return key;
      }))));
  }

  const edgeOf = (l, j, k) => document.querySelector(
    `[data-testid="edge"][data-layer="${l}"][data-neuron="${j}"][data-source="${k}"]`);

  // The middle of an edge's curve on the screen, where a pointer on it would be.
  function middle(edge) {
    const line = edge.querySelector(".line"), at = line.getPointAtLength(line.getTotalLength() / 2);
    const { x, y } = new DOMPoint(at.x, at.y).matrixTransform(line.getScreenCTM());
    return { clientX: x, clientY: y };
  }

  function litEdge(edge) {
    for (const lit of document.querySelectorAll(".edge.focused")) lit.classList.remove("focused");
    if (edge) { edge.classList.add("focused"); edge.parentNode.append(edge); }
  }

  // The focused weight's edge lit and its card shown (true), with the numbers of the state drawn.
  function showFocusedWeight() {
    const key = document.activeElement;
    if (!key || key.dataset.testid !== "weight") return false;
    const [l, j, k] = ["layer", "neuron", "source"].map((name) => Number(key.dataset[name])), edge = edgeOf(l, j, k);
    litEdge(edge);
    hoverEdge(l, j, k, middle(edge));
    return true;
  }

  // After each new state: the focused weight's edge lit again with its card, else the card under the pointer.
  function redrawCards() {
    if (!showFocusedWeight() && redraw) redraw();
  }

  return { hoverEdge, hoverNeuron, hoverEnd, openEditor, weightKeys, redrawCards };
};
