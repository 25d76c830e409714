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
  function showHover(lines, event, element) {
    const card = byTestId("hover");
    card.replaceChildren(...lines.map((line) => el("div", {}, line)));
    placeBeside(card, event, 12, element);
  }

  function hoverEdge(l, j, k, event) {
    const layer = current().layers[l];
    showHover([`${parameterName(l, j, k)} = ${formatNumber(layer.weights[j][k])}`,
               `∂L/∂w = ${formatNumber(layer.weight_grads[j][k])}`], event);
  }

  function hoverNeuron(l, j, event) {
    const state = current(), layer = state.layers[l], map = state.pictures.neurons[l][j];
    showHover([`neuron ${j + 1} of layer ${l + 1}: ${state.setup.activation}(Σ w·a + b)`,
               `heatmap range ±${formatNumber(map.scale)}`,
               `${parameterName(l, j, null)} = ${formatNumber(layer.biases[j])}`,
               `∂L/∂b = ${formatNumber(layer.bias_grads[j])}`], event, event.currentTarget);
  }

  function hoverEnd() { byTestId("hover").hidden = true; }

  // The editor beside the pointer on an edge, beside a bias's box (Enter on it has no pointer); closed, the
  // keyboard's focus goes back to the box it came from.
  let editing = null;
  function openEditor(l, j, k, event) {
    const form = byTestId("editor"), layer = current().layers[l];
    form.querySelector("span").textContent = `${parameterName(l, j, k)} =`;
    byTestId("edit-value").value = String(k === null ? layer.biases[j] : layer.weights[j][k]);
    form.dataset.target = JSON.stringify([l, j, k]);
    editing = k === null ? event.currentTarget : null;
    placeBeside(form, event, 0, editing);
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
  return { hoverEdge, hoverNeuron, hoverEnd, openEditor };
};
