// The explorer's own helpers (page_helpers.js, inlined before this, has what every page shares).
function num(x, wrapNegative) {
  const text = formatNumber(x);
  const span = el("span", "num", wrapNegative && typeof x === "number" && x < 0 ? `(${text})` : text);
  span.title = String(x);
  span.dataset.value = String(x);
  return span;
}

// A formula that wraps only at its spaces: a name keeps its indices (w⁽²⁾₂,₀, never w⁽²⁾ then ₂,₀).
const words = (text) => text.split(" ").flatMap((word, i) => [...(i ? [" "] : []), el("span", "word", word)]);
const mathLine = (className, parts) =>
  el("p", className, ...parts.flatMap((part) => (typeof part === "string" ? words(part) : [part])));
const math = (...parts) => mathLine("math", parts);
const bigMath = (...parts) => mathLine("math big", parts);
const note = (text) => el("p", "note", text);
const code = (text) => el("code", "numpy", text);

// A diverging colour for x on a scale of ±largest: blue positive, orange negative, white 0.
function cellColour(x, largest) {
  if (typeof x !== "number" || !largest) return "#f3f4f6";
  const share = Math.min(1, Math.abs(x) / largest);
  const [r, g, b] = x >= 0 ? [33, 102, 172] : [224, 130, 20];
  const mix = (c) => Math.round(255 + (c - 255) * share);
  return `rgb(${mix(r)}, ${mix(g)}, ${mix(b)})`;
}

const largestOf = (values) => values.reduce((m, x) => (typeof x === "number" ? Math.max(m, Math.abs(x)) : m), 0);

// A vector or matrix as coloured cells on a canvas (rows × columns), each cell `size` px.
function cells(matrix, size, largest) {
  const rows = matrix.length, columns = rows ? matrix[0].length : 0;
  const canvas = el("canvas", "cells");
  canvas.width = columns * size;
  canvas.height = rows * size;
  const scale = largest ?? largestOf(matrix.flat());
  const pen = canvas.getContext("2d");
  matrix.forEach((row, i) => row.forEach((x, k) => {
    pen.fillStyle = cellColour(x, scale);
    pen.fillRect(k * size, i * size, size, size);
  }));
  canvas.dataset.rows = String(rows);
  canvas.dataset.columns = String(columns);
  canvas.dataset.cell = String(size);
  return canvas;
}

// A flat vector folded into rows of `width` (a 784-vector as a 28 × 28 image).
function folded(vector, width) {
  const rows = [];
  for (let i = 0; i < vector.length; i += width) rows.push(vector.slice(i, i + width));
  return rows;
}

// A table's rows stacked, one block each with every number under its column's name, when its columns would not
// fit the box side by side (the update's table in a narrow panel); side by side again when they would.
function fitTable(box) {
  box.classList.remove("stacked");
  box.classList.toggle("stacked", box.firstElementChild.scrollWidth > box.clientWidth);
}

// Scrolls the drawing (never the page: on a phone the panels under it stay where they are) to centre an element
// that is not wholly in sight.
function reveal(element) {
  if (!element) return;
  const graph = document.getElementById("graph");
  const box = element.getBoundingClientRect(), frame = graph.getBoundingClientRect();
  const inside = box.top >= frame.top && box.bottom <= frame.bottom && box.left >= frame.left &&
                 box.right <= frame.right;
  if (inside) return;
  graph.scrollBy({ left: (box.left + box.right - frame.left - frame.right) / 2,
                   top: (box.top + box.bottom - frame.top - frame.bottom) / 2, behavior: "instant" });
}

// The inspector's details, brought into sight when they start out of it or in its lower half without fitting (on a
// phone they lie under the drawing and the step's panel), with a way back to the drawing.
function showInspector(parts) {
  const inspector = byTestId("inspector"), back = el("button", { type: "button", class: "to-drawing" }, "↑ back to the drawing");
  back.dataset.testid = "to-drawing";
  back.addEventListener("click", () => scrollBy({ top: document.querySelector(".graph-pane").getBoundingClientRect().top,
                                                  behavior: "instant" }));
  inspector.replaceChildren(...parts, back);
  // Scrolled by hand, the panels beside the drawing or else the page: never the page around it (a notebook's).
  const panels = inspector.parentElement, scrolls = panels.scrollHeight > panels.clientHeight &&
                                                    getComputedStyle(panels).overflowY !== "visible";
  const frame = scrolls ? panels.getBoundingClientRect() : { top: 0, bottom: innerHeight };
  const box = inspector.getBoundingClientRect(), room = frame.bottom - box.top;
  if (box.top >= frame.top && (box.bottom <= frame.bottom || room >= (frame.bottom - frame.top) / 2)) return;
  const by = box.top - frame.top - 8;
  (scrolls ? panels : window).scrollBy({ top: by, behavior: "instant" });
}
