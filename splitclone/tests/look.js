// Measures what a person sees on a page. Loaded into every page of the look tests
// (splitclone/tests/test_look.py) as `window.look`.
"use strict";

window.look = (() => {
  const describe = (el) => `<${el.tagName.toLowerCase()} class="${el.className}"> ` +
    (el.textContent || el.value || "").trim().replace(/\s+/g, " ").slice(0, 40);
  const shown = (el) => el.getClientRects().length > 0 &&
    getComputedStyle(el).visibility === "visible";

  // What sticks out: past the screen, or past the card it sits in. Whatever sits in a box
  // that scrolls or clips sideways is that box's business.
  function overflow() {
    const width = window.innerWidth;
    const problems = [];
    const pageWidth = document.documentElement.scrollWidth;
    if (pageWidth > width) problems.push(`the page is ${pageWidth}px wide`);
    const clips = (el) => ["auto", "scroll", "hidden", "clip"].includes(
      getComputedStyle(el).overflowX);
    for (const el of document.querySelectorAll("body *")) {
      const box = el.getBoundingClientRect();
      // Boxes of a pixel or none are hidden on purpose (visually-hidden, skip link).
      if (box.width <= 1 || box.height <= 1) continue;
      let clipped = false;
      for (let up = el.parentElement; up && up !== document.body; up = up.parentElement) {
        if (clips(up)) { clipped = true; break; }
      }
      if (clipped) continue;
      const card = el.parentElement && el.parentElement.closest(".card");
      const limit = card ? card.getBoundingClientRect() : { left: 0, right: width };
      if (box.right > limit.right + 0.5 || box.left < limit.left - 0.5) {
        problems.push(`${describe(el)}: ${Math.round(box.left)}–${Math.round(box.right)} ` +
          `outside ${Math.round(limit.left)}–${Math.round(limit.right)}`);
      }
    }
    return problems;
  }

  // Drop-downs that cut off the choice they show although their form has room to show more
  // of it ("Anyone took p" in a half-width column).
  function cutSelects() {
    const measure = document.createElement("canvas").getContext("2d");
    const innerWidth = (el) => {
      const style = getComputedStyle(el);
      return el.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
    };
    const arrow = 20;
    const problems = [];
    for (const select of document.querySelectorAll("select")) {
      const chosen = select.options[select.selectedIndex];
      if (!chosen || !shown(select)) continue;
      const style = getComputedStyle(select);
      measure.font = `${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
      const formRoom = innerWidth(select.closest("form, main"));
      const cut = measure.measureText(chosen.text).width > innerWidth(select) - arrow;
      if (cut && select.offsetWidth < formRoom - 1) {
        problems.push(`<select name="${select.name}"> cuts “${chosen.text}” at ` +
          `${select.offsetWidth}px in a form ${Math.round(formRoom)}px wide`);
      }
    }
    return problems;
  }

  const rgba = (value) => {
    const match = value.match(/^rgba?\(([^)]*)\)$/);
    if (!match) throw new Error(`unexpected colour ${value}`);
    const parts = match[1].split(/[\s,/]+/).filter(Boolean).map(Number);
    return [parts[0], parts[1], parts[2], parts.length > 3 ? parts[3] : 1];
  };
  const over = (top, bottom) =>
    [0, 1, 2].map((i) => top[i] * top[3] + bottom[i] * (1 - top[3])).concat([1]);
  // The colour actually behind an element: the backgrounds of the element and its ancestors,
  // composited from the first opaque one up.
  const behind = (el) => {
    const layers = [];
    for (let node = el; node; node = node.parentElement) {
      const colour = rgba(getComputedStyle(node).backgroundColor);
      if (colour[3] > 0) layers.push(colour);
      if (colour[3] === 1) break;
    }
    return layers.reverse().reduce((below, layer) => over(layer, below), [255, 255, 255, 1]);
  };
  const luminance = (colour) => {
    const [r, g, b] = colour.slice(0, 3).map((c) => {
      const s = c / 255;
      return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const ratio = (a, b) => {
    const [light, dark] = [luminance(a), luminance(b)].sort((x, y) => y - x);
    return (light + 0.05) / (dark + 0.05);
  };
  const controls = "button, .button, select, textarea, " +
    "input:not([type=checkbox]):not([type=radio]):not([type=hidden])";
  const hasText = (el) => [...el.childNodes].some(
    (node) => node.nodeType === Node.TEXT_NODE && node.textContent.trim());

  // The WCAG contrast of each visible piece of text and each control under `selector`.
  function contrast(selector) {
    const found = [];
    for (const el of document.querySelectorAll(selector)) {
      if (!el.matches(controls) && !hasText(el)) continue;
      if (el.closest("[hidden], .visually-hidden, option") || el.disabled || !shown(el)) continue;
      const style = getComputedStyle(el);
      if (Number(style.opacity) === 0) continue;
      const background = behind(el);
      const size = parseFloat(style.fontSize);
      const large = size >= 24 || (size >= 18.66 && Number(style.fontWeight) >= 700);
      found.push({
        element: describe(el),
        ratio: Math.round(ratio(over(rgba(style.color), background), background) * 100) / 100,
        needed: large ? 3 : 4.5,
        color: style.color,
        background: `rgb(${background.slice(0, 3).map(Math.round).join(", ")})`,
      });
    }
    return found;
  }

  // The box of each visible checkbox and radio button, and of its label.
  function tapTargets() {
    const found = [];
    for (const input of document.querySelectorAll("input[type=checkbox], input[type=radio]")) {
      if (!shown(input)) continue;
      const box = input.getBoundingClientRect();
      const label = input.labels && input.labels[0];
      found.push({
        input: `${input.name}=${input.value}`,
        label: label ? describe(label) : "no label",
        width: box.width,
        height: box.height,
        labelHeight: label ? label.getBoundingClientRect().height : 0,
      });
    }
    return found;
  }

  return { overflow, cutSelects, contrast, tapTargets };
})();
