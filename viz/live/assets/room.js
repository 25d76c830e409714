"use strict";
// What the live rooms (the playground, the digit lab) share, loaded after page_helpers.js: the page's token,
// JSON requests, the message line, cards beside the pointer, the session closed with its tab, and the "step
// into backprop" panel.
const TOKEN = document.querySelector('meta[name="token"]').content;
const JSON_HEADERS = { "content-type": "application/json", "x-chainrule-token": TOKEN };

// POST a JSON body: whether it succeeded and the answer (its status as the error when it is not JSON).
async function postJson(path, body) {
  const response = await fetch(path, { method: "POST", body: JSON.stringify(body), headers: JSON_HEADERS });
  let answer = null;
  try { answer = await response.json(); } catch (error) { answer = { error: `${response.status}` }; }
  return { ok: response.ok, answer };
}

// The query string of a session's GET requests and event stream.
const sessionQuery = (session, extra) => new URLSearchParams({ session, token: TOKEN, ...extra }).toString();

// The message line under the controls; no text hides it.
function showMessage(text) {
  const line = byTestId("message");
  line.textContent = text || "";
  line.hidden = !text;
}

// A card (a hover card, a tooltip, an editor) beside what it describes, `element`'s box or else the pointer, shown
// whole at its natural width and never over it: on its right, else its left, below, above; moved along that side
// to stay inside the window.
function placeBeside(card, event, gap, element) {
  card.style.left = "0px"; card.style.top = "0px";
  card.hidden = false;
  const { width, height } = card.getBoundingClientRect(), page = document.documentElement;
  const [right, bottom] = [page.clientWidth, page.clientHeight];
  const box = element ? element.getBoundingClientRect()
                      : { left: event.clientX, right: event.clientX, top: event.clientY, bottom: event.clientY };
  const within = (start, size, end) => Math.max(0, Math.min(start, end - size));
  const beside = within(element ? box.top : box.top + gap, height, bottom), under = within(box.left, width, right);
  const sides = [[box.right + gap, beside], [box.left - gap - width, beside], [under, box.bottom + gap],
                 [under, box.top - gap - height]];
  const [x, y] = sides.find(([x, y]) => x >= 0 && y >= 0 && x + width <= right && y + height <= bottom) || sides[0];
  const [left, top] = getComputedStyle(card).position === "fixed" ? [0, 0] : [scrollX, scrollY];
  card.style.left = `${Math.max(0, x) + left}px`; card.style.top = `${Math.max(0, y) + top}px`;
}

// A tab that closes frees its session's slot at once (a reload of the tab resumes the session).
// `closing()` is the body to send: the session, and the page load that holds it when the room keeps one.
function closeWithTab(path, closing) {
  addEventListener("pagehide", (event) => {
    const body = closing();
    if (body.session && !event.persisted) {
      fetch(path, { method: "POST", keepalive: true, body: JSON.stringify(body), headers: JSON_HEADERS });
    }
  });
}

// The file chosen in a file input, as its name and text (null when none), its name shown beside the input's button;
// the input is cleared, so choosing the same file again is a change too.
async function chosenFile(input) {
  const file = input.files[0];
  input.value = "";
  if (!file) return null;
  input.parentElement.querySelector(".file-name").textContent = file.name;
  return { name: file.name, text: await file.text() };
}

// "Import model": the chosen file's JSON sent to the room's import control, or a message saying it is not JSON.
function importOnChange(input, send) {
  input.addEventListener("change", async () => {
    const file = await chosenFile(input);
    if (file === null) return;
    let model;
    try { model = JSON.parse(file.text); } catch (error) {
      showMessage(`import: ${file.name} is not a JSON model file (${error.message})`);
      return;
    }
    send(model);
  });
}

// A square picture of side × side pixels on `canvas`, pixel i (row by row) in the colour [r, g, b] = colourAt(i).
function paintPixels(canvas, side, colourAt) {
  canvas.width = side; canvas.height = side;
  const context = canvas.getContext("2d"), image = context.createImageData(side, side);
  for (let i = 0; i < side * side; i += 1) image.data.set([...colourAt(i).map(Math.round), 255], 4 * i);
  context.putImageData(image, 0, 0);
}

// The "step into backprop" panel: the explorer page in an iframe. The explorer takes the keyboard (arrows
// step it); Escape, in it or here, closes the panel, and so does its close button.
function explorerPanel() {
  const panel = byTestId("explorer-panel"), frame = byTestId("explorer");
  function close() { panel.hidden = true; frame.src = "about:blank"; }
  byTestId("close-explorer").addEventListener("click", close);
  frame.addEventListener("load", () => { if (!panel.hidden) frame.contentWindow.focus(); });
  addEventListener("message", (event) => {
    if (event.origin === location.origin && event.source === frame.contentWindow && event.data === "close-explorer") close();
  });
  document.addEventListener("keydown", (event) => { if (event.key === "Escape" && !panel.hidden) close(); });
  return {
    open(title, address) {
      byTestId("explorer-title").textContent = title;
      frame.src = address;
      panel.hidden = false;
    },
  };
}
