// A small accessibility audit run in the page by the browser tests: what axe would flag first, without fetching
// axe. Returns a list of problems, each "rule: element".
() => {
  const problems = [];
  const visible = (el) => !!(el.offsetWidth || el.offsetHeight || el.getClientRects().length) &&
    getComputedStyle(el).visibility !== "hidden";
  const describe = (el) => el.outerHTML.slice(0, 120);
  const named = (el) => (el.getAttribute("aria-label") || "").trim() || el.getAttribute("aria-labelledby") ||
    (el.getAttribute("title") || "").trim();

  if (!document.documentElement.lang) problems.push("html-lang: <html> has no lang");
  if (document.querySelectorAll("h1").length !== 1) problems.push("one-h1: " + document.querySelectorAll("h1").length + " h1");
  if (!document.title.trim()) problems.push("title: the page has no title");

  for (const el of document.querySelectorAll("input, select, textarea")) {
    if (["hidden", "submit", "button", "reset"].includes(el.type) || !visible(el)) continue;
    if (!(el.labels && el.labels.length) && !named(el)) problems.push("label: " + describe(el));
  }
  for (const el of document.querySelectorAll("a[href], button")) {
    if (!visible(el)) continue;
    if (!el.textContent.trim() && !named(el) && !el.querySelector("img[alt]")) problems.push("name: " + describe(el));
  }
  for (const el of document.querySelectorAll("img")) {
    if (!el.hasAttribute("alt")) problems.push("alt: " + describe(el));
  }
  const ids = {};
  for (const el of document.querySelectorAll("[id]")) {
    if (ids[el.id]) problems.push("duplicate-id: " + el.id);
    ids[el.id] = true;
  }

  // Contrast of every visible text run against the first opaque background behind it (WCAG AA).
  const rgb = (value) => (value.match(/[\d.]+/g) || []).map(Number);
  const luminance = ([r, g, b]) => {
    const channel = (c) => { c /= 255; return c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4); };
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
  };
  const background = (el) => {
    for (let node = el; node && node.nodeType === 1; node = node.parentElement) {
      const color = rgb(getComputedStyle(node).backgroundColor);
      if (color.length === 3 || (color.length === 4 && color[3] >= 0.9)) return color.slice(0, 3);
    }
    return [255, 255, 255];
  };
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const seen = new Set();
  for (let text = walker.nextNode(); text; text = walker.nextNode()) {
    const el = text.parentElement;
    if (!text.textContent.trim() || seen.has(el) || !visible(el)) continue;
    seen.add(el);
    const style = getComputedStyle(el);
    if (el.closest(".visually-hidden, [aria-hidden=true]")) continue;
    const fore = luminance(rgb(style.color)), back = luminance(background(el));
    const ratio = (Math.max(fore, back) + 0.05) / (Math.min(fore, back) + 0.05);
    const size = parseFloat(style.fontSize), bold = Number(style.fontWeight) >= 700;
    const needed = size >= 24 || (bold && size >= 18.66) ? 3 : 4.5;
    if (ratio < needed) problems.push(`contrast ${ratio.toFixed(2)} < ${needed}: ` + describe(el));
  }
  return problems;
}
