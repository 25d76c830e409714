// What every page shares (the explorer inlines it; the playground and the digit lab load it first):
// elements built from text (never markup), an element found by its test id, and the one number format.
const MISSING = "–";  // a number not known yet

// An element: `props` is its class name (a string) or its attributes (an object); children are nodes or text.
function el(tag, props, ...children) {
  const element = document.createElement(tag);
  if (typeof props === "string") element.className = props;
  else for (const [name, value] of Object.entries(props || {})) element.setAttribute(name, String(value));
  for (const child of children) element.append(child instanceof Node ? child : String(child));
  return element;
}

const SVG_NS = "http://www.w3.org/2000/svg";
function svgEl(tag, attributes, text) {
  const element = document.createElementNS(SVG_NS, tag);
  for (const [name, value] of Object.entries(attributes || {})) element.setAttribute(name, String(value));
  if (text !== undefined) element.textContent = text;
  return element;
}

const byTestId = (id) => document.querySelector(`[data-testid="${id}"]`);

// The one number format, Python's viz.dot.format_number to the letter: four decimals, scientific notation
// with three when that would hide the value (below 1e-3, from 1e6), "inf" and "nan" as Python writes them.
function formatNumber(x) {
  if (x === null || x === undefined) return MISSING;
  if (typeof x === "string") return x;  // the page data's "inf", "-inf", "nan"
  if (Number.isNaN(x)) return "nan";
  const sign = x < 0 || Object.is(x, -0) ? "-" : "", size = Math.abs(x);
  if (size === Infinity) return `${sign}inf`;
  if (size === 0 || (size >= 1e-3 && size < 1e6)) return sign + fixed(size, 4);
  return sign + scientific(size);
}

// JavaScript rounds an exact tie up, Python to the even digit: the tie is found in the exact decimal expansion.
const isTie = (digits) => /^50*$/.test(digits);

// A number from 0 to 1e6 with `decimals` decimals, as Python's f"{size:.{decimals}f}".
function fixed(size, decimals) {
  const exact = size.toFixed(100), cut = exact.indexOf(".") + 1 + decimals;  // below 1e6 a double ends within 100
  const even = Number(exact[cut - 1]) % 2 === 0;
  return isTie(exact.slice(cut)) && even ? exact.slice(0, cut) : size.toFixed(decimals);
}

function scientific(size) {
  // Only a whole number can be an exact tie here (below 1e-3 no double is one); BigInt gives its exact digits.
  const digits = Number.isInteger(size) ? BigInt(size).toString() : "";
  const [mantissa, exponent] = digits && isTie(digits.slice(4)) && Number(digits[3]) % 2 === 0
    ? [`${digits[0]}.${digits.slice(1, 4)}`, digits.length - 1]
    : size.toExponential(3).split("e").map((part, i) => (i ? Number(part) : part));
  return `${mantissa}e${exponent < 0 ? "-" : "+"}${String(Math.abs(exponent)).padStart(2, "0")}`;
}

// A share in [0, 1] as a percentage with one decimal, as Python's f"{100 * share:.1f}%".
const percent = (share) => (share === null || share === undefined ? MISSING : `${fixed(100 * share, 1)}%`);

// Quantised pictures from the server: base64 text to bytes.
const base64Bytes = (text) => Uint8Array.from(atob(text), (character) => character.charCodeAt(0));
