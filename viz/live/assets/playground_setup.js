"use strict";
// The playground's setup controls: built from the server's vocabulary, set from each state, their changes sent
// to the server, and the whole setup kept in the URL fragment (a link restores it).
window.PlaygroundSetup = (vocabulary, current, configure) => {
  const LISTS = new Set(["features", "hidden"]);

  function buildControls() {
    for (const [field, choices] of Object.entries(vocabulary.choices)) {
      document.querySelector(`select[data-field="${field}"]`).replaceChildren(
        ...choices.map(([value, text]) => el("option", { value: String(value) }, text)));
    }
    for (const [field, [low, high, step]] of Object.entries(vocabulary.sliders)) {
      Object.assign(document.querySelector(`input[data-field="${field}"]`), { min: low, max: high, step });
    }
    const classes = Math.max(...Object.values(vocabulary.classes));
    byTestId("point-class").append(...Array.from({ length: classes }, (_, c) => {
      const radio = el("input", { type: "radio", name: "point-class", value: String(c) });
      radio.checked = c === 0;
      const label = el("label", {});
      label.append(radio, ` ${c}`);
      return label;
    }));
  }

  // ---- the URL fragment: the whole setup ------------------------------------------------------
  function fromFragment() {
    const setup = {};
    for (const [key, value] of new URLSearchParams(location.hash.slice(1))) {
      if (LISTS.has(key)) setup[key] = value ? value.split(",").map((v) => (key === "hidden" ? Number(v) : v)) : [];
      else setup[key] = value !== "" && !Number.isNaN(Number(value)) ? Number(value) : value;
    }
    return setup;
  }

  function writeFragment(setup) {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(setup)) params.set(key, Array.isArray(value) ? value.join(",") : value);
    history.replaceState(null, "", `${location.pathname}${location.search}#${params}`);
  }

  // ---- showing a state's setup ----------------------------------------------------------------
  // The dataset control names an uploaded file while its points are the data.
  function showUpload(uploaded) {
    const control = byTestId("dataset"), option = control.querySelector("option[data-upload]");
    if (!uploaded) { if (option) option.remove(); return; }
    const shown = option || control.appendChild(el("option", { "data-upload": "", value: "" }));
    shown.textContent = `${uploaded} (uploaded)`;
    control.value = "";
  }

  // An uploaded CSV's columns are standardized by its training points: the page says how.
  function showStandardization(standardize) {
    const line = byTestId("standardized");
    line.hidden = !standardize;
    if (!standardize) return;
    const column = (name, c) => `${name} = (raw − ${formatNumber(standardize.mean[c])}) / ${formatNumber(standardize.std[c])}`;
    line.textContent = `standardized by the training points: ${column("x1", 0)}, ${column("x2", 1)}`;
  }

  function showControls(setup) {
    for (const control of document.querySelectorAll("[data-field]")) {
      const value = String(setup[control.dataset.field]);
      if (control.tagName === "SELECT" && ![...control.options].some((o) => (o.value || o.text) === value)) {
        control.append(el("option", {}, value));
      }
      control.value = value;
      const shown = document.querySelector(`output[data-for="${control.dataset.field}"]`);
      if (shown) shown.textContent = value;
    }
    byTestId("layer-count").textContent = String(setup.hidden.length);
    byTestId("add-layer").disabled = setup.hidden.length >= vocabulary.max_layers;
    byTestId("remove-layer").disabled = setup.hidden.length === 0;
  }

  // Everything of the setup a state carries: the controls, the upload, the standardization and the link.
  function show(next, points) {
    showControls(next.setup);
    showUpload(next.uploaded);
    if (points) showStandardization(points.standardize);
    document.querySelectorAll('[name="point-class"]').forEach((radio) => {
      radio.disabled = Number(radio.value) >= next.classes;
    });
    writeFragment(next.uploaded ? { ...next.setup, uploaded: next.uploaded } : next.setup);
  }

  // ---- the controls' changes ------------------------------------------------------------------
  for (const control of document.querySelectorAll("[data-field]")) {
    control.addEventListener("change", () => {
      const field = control.dataset.field, value = "number" in control.dataset ? Number(control.value) : control.value;
      const changes = { [field]: value };
      if (field === "dataset") {  // a loss that fits the new data's number of classes
        const losses = vocabulary.losses_by_classes[vocabulary.classes[value]];
        if (!losses.includes(current().setup.loss)) changes.loss = losses[0];
      }
      configure(changes);
    });
  }
  byTestId("regenerate").addEventListener("click", () => configure({ seed: (current().setup.seed + 1) % 2147483647 }));
  byTestId("add-layer").addEventListener("click", () => configure({ hidden: [...current().setup.hidden, 2] }));
  byTestId("remove-layer").addEventListener("click", () => configure({ hidden: current().setup.hidden.slice(0, -1) }));
  buildControls();
  return { fromFragment, show };
};
