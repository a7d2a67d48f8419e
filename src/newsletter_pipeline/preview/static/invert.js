// Forced dark mode, simulated: what Gmail's apps and Outlook's dark mode do to an email without asking.
// Every colour the page paints (text, backgrounds, borders) gets its HSL lightness flipped (1 - L), hue and
// saturation kept: light becomes dark, dark becomes light. Images are left as they are, as those clients do.
// The check's "contrast-inverted" warning computes the same formula (checks/css.py: inverted); keep them in step.
// Used by `newsletter screenshot` (inverted-600.png) and the preview's "Inverted" toggle.
function npInvert(doc) {
  const win = doc.defaultView;
  const props = ["color", "background-color", "border-top-color", "border-right-color",
                 "border-bottom-color", "border-left-color"];
  const parse = (text) => {
    const found = /rgba?\(([^)]+)\)/.exec(text);
    if (!found) return null;
    const parts = found[1].split(/[\s,\/]+/).filter(Boolean).map(parseFloat);
    return parts.length > 3 && parts[3] === 0 ? null : parts;  // transparent: nothing painted
  };
  const flip = ([r, g, b, a]) => {
    r /= 255; g /= 255; b /= 255;
    const max = Math.max(r, g, b), min = Math.min(r, g, b), l = (max + min) / 2, d = max - min;
    let h = 0, s = 0;
    if (d > 0) {
      s = l > 0.5 ? d / (2 - max - min) : d / (max + min);
      h = max === r ? (g - b) / d + (g < b ? 6 : 0) : max === g ? (b - r) / d + 2 : (r - g) / d + 4;
      h /= 6;
    }
    const L = 1 - l, q = L < 0.5 ? L * (1 + s) : L + s - L * s, p = 2 * L - q;
    const channel = (t) => {
      t = (t + 1) % 1;
      if (t < 1 / 6) return p + (q - p) * 6 * t;
      if (t < 1 / 2) return q;
      if (t < 2 / 3) return p + (q - p) * (2 / 3 - t) * 6;
      return p;
    };
    const rgb = s === 0 ? [L, L, L] : [channel(h + 1 / 3), channel(h), channel(h - 1 / 3)];
    const [R, G, B] = rgb.map((v) => Math.round(v * 255));
    return a === undefined ? `rgb(${R}, ${G}, ${B})` : `rgba(${R}, ${G}, ${B}, ${a})`;
  };
  const elements = [doc.documentElement, ...doc.querySelectorAll("body, body *")];
  // read every colour before writing any: a write would change what descendants inherit
  const before = elements.map((e) => props.map((p) => win.getComputedStyle(e).getPropertyValue(p)));
  elements.forEach((element, i) => {
    if (element.tagName === "IMG") return;
    props.forEach((prop, j) => {
      const colour = parse(before[i][j]);
      if (colour) element.style.setProperty(prop, flip(colour), "important");
    });
  });
  // the canvas behind an unpainted page is white: inverted, it is black
  if (!parse(before[0][1]) && !parse(before[1] ? before[1][1] : "")) {
    doc.documentElement.style.setProperty("background-color", "rgb(0, 0, 0)", "important");
  }
}
