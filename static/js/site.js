// Small progressive enhancements; every page works without this file.
"use strict";

// The page's translations of the words below ({% script_strings %}, in the page's language, so a
// copy kept for offline reading keeps its language). offline.js uses these two functions too.
const SCRIPT_STRINGS = JSON.parse(document.getElementById("script-strings")?.textContent || "{}");

function gettext(text) {
  return SCRIPT_STRINGS[text] || text;
}

// Fills "%(name)s" placeholders, as Django's own JavaScript catalog does.
function interpolate(text, values) {
  return text.replace(/%\((\w+)\)s/g, (placeholder, name) => values[name]);
}

document.addEventListener("click", (event) => {
  // Buttons marked data-copy="<text>" copy their text and say so.
  const button = event.target.closest("[data-copy]");
  if (!button || !navigator.clipboard) return;
  event.preventDefault();
  navigator.clipboard.writeText(button.dataset.copy).then(() => {
    const label = button.textContent;
    button.textContent = gettext("Copied");
    setTimeout(() => { button.textContent = label; }, 1500);
  });
});

document.addEventListener("htmx:afterSwap", (event) => {
  // After a fragment swap, move focus to the first field with an error so keyboard and
  // screen-reader users hear what went wrong.
  const invalid = event.detail.target.querySelector("[aria-invalid='true']");
  if (invalid) invalid.focus();
});

// A search box marked data-filter-rows="<selector>" narrows the rows of that table body to the
// ones whose text contains what was typed. Without JavaScript the box stays hidden and every row
// shows; hidden rows keep their inputs, so nothing typed is lost.
function enableRowFilters(root) {
  root.querySelectorAll("input[data-filter-rows]").forEach((box) => {
    const rows = document.querySelector(box.dataset.filterRows);
    if (!rows) return;
    box.hidden = false;
    // Enter in the filter box must not submit the surrounding form.
    box.addEventListener("keydown", (event) => {
      if (event.key === "Enter") event.preventDefault();
    });
    box.addEventListener("input", () => {
      const wanted = box.value.trim().toLowerCase();
      rows.querySelectorAll("tr").forEach((row) => {
        row.hidden = wanted !== "" && !row.textContent.toLowerCase().includes(wanted);
      });
    });
  });
}

// A <details data-paid-by="<select id>"> holds what each of several payers paid, and the select
// says who paid. Choosing "Several people" (the empty choice) opens the section; choosing one
// person closes it and disables its fields, so amounts typed there earlier, now out of sight, are
// not sent and cannot outweigh the choice. Opening the section chooses "Several people". Without
// JavaScript the section opens by hand and the amounts typed there count.
function linkSeveralPayers(root) {
  root.querySelectorAll("details[data-paid-by]").forEach((section) => {
    const select = document.getElementById(section.dataset.paidBy);
    if (!select) return;
    const follow = () => {
      const several = select.value === "";
      section.open = several;
      section.querySelectorAll("input").forEach((input) => { input.disabled = !several; });
    };
    select.addEventListener("change", follow);
    section.addEventListener("toggle", () => {
      if (!section.open || select.value === "") return;
      select.value = "";
      // Bubbles to the form, whose preview follows every change.
      select.dispatchEvent(new Event("change", { bubbles: true }));
    });
    follow();
  });
}

// A currency select marked data-conversion="<details id>" unfolds that section when a currency
// other than the group's (data-group-currency) is chosen, so the way it is converted shows at
// once beside the rate the preview gives. It never folds it again: what was typed stays in view.
// Listened for on the document, so forms swapped in by htmx (the settle-up page) follow too.
document.addEventListener("change", (event) => {
  const select = event.target.closest("select[data-conversion]");
  if (!select || select.value === select.dataset.groupCurrency) return;
  const section = document.getElementById(select.dataset.conversion);
  if (section) section.open = true;
});

document.addEventListener("DOMContentLoaded", () => {
  enableRowFilters(document);
  linkSeveralPayers(document);
});
