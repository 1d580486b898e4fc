// Offline reading and the queue of expenses added offline (docs/offline.md). The service worker
// keeps the pages and the queue; this file shows them. Every page works without it.
"use strict";

const workerUrl = document.currentScript.dataset.serviceWorker;

// Asks the service worker something about the queue and waits for its answer.
async function askWorker(message) {
  const registration = await navigator.serviceWorker.ready;
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = (event) => resolve(event.data);
    registration.active.postMessage(message, [channel.port2]);
  });
}

function pageToken() {
  const headers = document.body.getAttribute("hx-headers");
  return headers ? JSON.parse(headers)["X-CSRFToken"] : null;
}

// A page the worker served from its copy carries the time the copy was fetched.
function showOfflineBanner() {
  const asOf = document.documentElement.dataset.offlineAsOf;
  if (!asOf) return;
  const when = new Date(asOf).toLocaleString(document.documentElement.lang || undefined, { dateStyle: "medium", timeStyle: "short" });
  const banner = document.createElement("p");
  banner.className = "offline-banner";
  banner.setAttribute("role", "status");
  banner.textContent = interpolate(gettext("Offline, as of %(when)s. Changes you make are sent when you are back online."), { when });
  document.getElementById("main").prepend(banner);
  // Messages such as "Saved …" belong to the moment the copy was made, not to now.
  document.querySelectorAll(".message").forEach((message) => message.remove());
}

function field(entry, name) {
  const pair = entry.fields.find(([key]) => key === name);
  return pair ? pair[1] : "";
}

// Why the server refused a queued expense, in its own words where it gave them.
function refusalReasons(refusal) {
  if (refusal.status === 404) return [gettext("This group is no longer open to you (you may have left it or been removed).")];
  if (refusal.status === 403) return [gettext("The server refused it: sign in again, then fix and send it.")];
  if (refusal.status === 413) return [gettext("It is too large to send (the receipt is limited to 10 MB).")];
  const page = new DOMParser().parseFromString(refusal.page, "text/html");
  const errors = [...page.querySelectorAll(".errorlist li")].map((item) => {
    const label = item.closest(".field")?.querySelector("label")?.textContent.trim();
    return label ? `${label} ${item.textContent.trim()}` : item.textContent.trim();
  });
  // A field's error shows beside the field and again in the form's summary: once is enough.
  return errors.length ? [...new Set(errors)] : [interpolate(gettext("The server refused it (%(status)s)."), { status: refusal.status })];
}

function queuedItem(entry) {
  const item = document.createElement("li");
  item.className = "queued-expense";
  item.dataset.submission = entry.id;
  const summary = document.createElement("p");
  const amount = [field(entry, "amount"), field(entry, "original_currency")].filter(Boolean).join(" ");
  summary.textContent = `${field(entry, "description") || gettext("Expense")} · ${amount}`;
  const state = document.createElement("p");
  state.className = "queued-state";
  item.append(summary, state);
  if (!entry.refusal) {
    state.textContent = gettext("Waiting to sync");
    return item;
  }
  state.textContent = gettext("Not saved:");
  const reasons = document.createElement("ul");
  reasons.className = "errorlist";
  for (const reason of refusalReasons(entry.refusal)) {
    const line = document.createElement("li");
    line.textContent = reason;
    reasons.append(line);
  }
  const actions = document.createElement("p");
  actions.className = "actions";
  const fix = document.createElement("a");
  fix.className = "button button-small";
  fix.href = `${entry.action}?offline=${encodeURIComponent(entry.id)}`;
  fix.textContent = gettext("Fix");
  const discard = document.createElement("button");
  discard.type = "button";
  discard.className = "button button-small button-secondary";
  discard.textContent = gettext("Discard");
  discard.addEventListener("click", async () => {
    await askWorker({ type: "discard", id: entry.id });
    showQueue(await askWorker({ type: "list" }));
  });
  actions.append(fix, discard);
  item.append(reasons, actions);
  return item;
}

// The group page lists this group's expenses that are still on this device.
function showQueue(entries) {
  const section = document.querySelector("[data-offline-queue-for]");
  if (!section || !entries) return;
  const mine = entries.filter((entry) => entry.group === section.dataset.offlineQueueFor);
  const list = section.querySelector("ul");
  list.replaceChildren(...mine.map(queuedItem));
  section.hidden = mine.length === 0;
}

function fillForm(form, entry) {
  const values = new Map();
  for (const [name, value] of entry.fields) {
    if (typeof value === "string") values.set(name, [...(values.get(name) || []), value]);
  }
  for (const control of form.elements) {
    if (!control.name || control.type === "file" || control.name === "csrfmiddlewaretoken") continue;
    const wanted = values.get(control.name) || [];
    if (control.type === "checkbox" || control.type === "radio") {
      control.checked = wanted.includes(control.value);
    } else if (control.tagName === "SELECT" || wanted.length) {
      control.value = wanted[0] ?? "";
    }
  }
  form.dispatchEvent(new Event("change", { bubbles: true }));
}

// A new-expense form shown from the offline copy carries the copy's submission id: each
// expense added from it needs its own, or the server would take the second for the first.
async function prepareExpenseForm() {
  const form = document.querySelector("form[data-offline-form]");
  if (!form) return;
  const submission = form.elements.submission_id;
  const fixing = new URLSearchParams(location.search).get("offline");
  if (fixing) {
    const entry = await askWorker({ type: "get", id: fixing });
    if (entry) fillForm(form, entry);
  } else if (document.documentElement.dataset.offlineAsOf && submission) {
    submission.value = crypto.randomUUID();
  }
}

// Logging out forgets this person's pages and queue (the worker also does when it sees the
// request, from any logout form); say so first when expenses are still waiting.
function guardLogout() {
  document.querySelectorAll("form[data-logout]").forEach((form) => {
    form.addEventListener("submit", async (event) => {
      if (form.dataset.confirmed) return;
      event.preventDefault();
      const waiting = (await askWorker({ type: "list" })) || [];
      const message = gettext("Expenses you added offline are not on the server yet and will be discarded. Log out anyway?");
      if (waiting.length && !window.confirm(message)) return;
      // Done before the request leaves, so no page the worker is still keeping outlives it.
      await askWorker({ type: "forget" });
      form.dataset.confirmed = "yes";
      form.requestSubmit();
    });
  });
}

// The offline copy stays on screen when the connection returns: say that a fresher one is there.
function offerFreshCopy() {
  const banner = document.querySelector(".offline-banner");
  if (!banner) return;
  const reload = document.createElement("a");
  reload.href = location.href;
  reload.textContent = gettext("Reload for the latest");
  banner.replaceChildren(gettext("Back online."), " ", reload);
}

// Right after the page's `online` event the worker may still find the network down, and its
// replay stops at the first failed send: while expenses wait and the page is online, try again
// a little later (1, 2, 4, 8, 16 s). The server takes a submission id once, so a repeat is safe.
async function sync(attempt = 0) {
  if (!navigator.onLine) return;
  const queued = await askWorker({ type: "replay", token: pageToken() });
  showQueue(queued);
  const waiting = (queued || []).filter((entry) => !entry.refusal);
  if (waiting.length && attempt < 5) setTimeout(() => sync(attempt + 1), 1000 * 2 ** attempt);
}

if ("serviceWorker" in navigator && workerUrl) {
  navigator.serviceWorker.register(workerUrl, { scope: "/" });
  navigator.serviceWorker.addEventListener("message", async (event) => {
    if (event.data?.type === "queue-changed") showQueue(await askWorker({ type: "list" }));
  });
  document.addEventListener("DOMContentLoaded", async () => {
    showOfflineBanner();
    guardLogout();
    prepareExpenseForm();
    showQueue(await askWorker({ type: "list" }));
    // The first page a new worker sees was fetched before it took over: keep it now.
    if (!navigator.serviceWorker.controller) askWorker({ type: "keep", url: location.href });
    sync();
  });
  window.addEventListener("online", () => {
    offerFreshCopy();
    sync();
  });
}
