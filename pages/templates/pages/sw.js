{% autoescape off %}// The offline service worker (docs/offline.md), served by pages.offline.service_worker.
"use strict";

const CONFIG = {{ config }};
const PAGES = "pages-v1";
const STATIC = "static-v1";
const QUEUE_DB = "offline-queue";
const QUEUE_STORE = "expenses";
// The pages kept for reading offline: the list of groups and every page of a group.
const KEPT_PAGE = /^\/(home\/|groups\/\d+\/)/;
const NEW_EXPENSE = /^\/groups\/(\d+)\/expenses\/new\/$/;

self.addEventListener("install", (event) => {
  event.waitUntil(precache().then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  const current = new Set([PAGES, STATIC]);
  event.waitUntil(
    caches.keys()
      .then((names) => Promise.all(names.filter((name) => !current.has(name)).map((name) => caches.delete(name))))
      .then(() => self.clients.claim()),
  );
});

async function precache() {
  const cache = await caches.open(STATIC);
  // One file missing must not keep the worker from installing: it is cached when next used.
  await Promise.allSettled(CONFIG.precache.map(async (url) => {
    const response = await fetch(url, { mode: sameOrigin(url) ? "same-origin" : "no-cors" });
    if (response.ok || response.type === "opaque") await cache.put(url, response);
  }));
}

function sameOrigin(url) {
  return new URL(url).origin === self.location.origin;
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method === "POST" && url.origin === self.location.origin) {
    if (url.pathname === CONFIG.logout) {
      // The next person on this browser must not read this one's pages or send their expenses.
      event.waitUntil(forgetEverything());
    } else if (request.mode === "navigate" && NEW_EXPENSE.test(url.pathname)) {
      event.respondWith(sendOrQueue(request, url));
    }
    return;
  }
  if (request.method !== "GET") return;
  if (url.href.startsWith(CONFIG.static)) {
    event.respondWith(networkFirst(request, STATIC, (response) => response.ok || response.type === "opaque"));
  } else if (request.mode === "navigate" && url.origin === self.location.origin && KEPT_PAGE.test(url.pathname)) {
    event.respondWith(page(request));
  }
});

async function networkFirst(request, cacheName, worthKeeping) {
  const cache = await caches.open(cacheName);
  try {
    const response = await fetch(request);
    if (worthKeeping(response)) await cache.put(request.url, response.clone());
    return response;
  } catch (error) {
    const kept = await cache.match(request.url);
    if (kept) return kept;
    throw error;
  }
}

// A page from the network when there is one, kept with the time it was fetched; offline, the
// kept copy, marked with that time so the page can say how old it is.
async function page(request) {
  const asked = Date.now();
  try {
    const response = await fetch(request);
    if (isKeptPage(response)) await keepPage(request.url, response.clone(), asked);
    return response;
  } catch (error) {
    const kept = await (await caches.open(PAGES)).match(request.url);
    if (!kept) return notKept();
    const fetchedAt = kept.headers.get("X-Offline-Fetched-At");
    const html = (await kept.text()).replace("<html", `<html data-offline-as-of="${fetchedAt}"`);
    return new Response(html, { status: 200, headers: kept.headers });
  }
}

function isKeptPage(response) {
  const type = response.headers.get("Content-Type") || "";
  return response.status === 200 && response.type === "basic" && type.startsWith("text/html");
}

// When the last log-out happened: a page asked for before it belongs to the person who left.
let forgottenAt = 0;

async function keepPage(url, response, asked) {
  if (asked <= forgottenAt) return;
  const headers = new Headers(response.headers);
  headers.set("X-Offline-Fetched-At", new Date().toISOString());
  const copy = new Response(await response.blob(), { status: response.status, headers });
  await (await caches.open(PAGES)).put(url, copy);
}

function notKept() {
  const words = CONFIG.offline;
  const html = `<!doctype html><html lang="${words.lang}"><meta charset="utf-8">`
    + "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
    + `<title>${words.title}</title><h1>${words.heading}</h1>`
    + `<p>${words.text}</p>`
    + `<p><a href="${CONFIG.home}">${words.home}</a></p>`;
  return new Response(html, { status: 503, headers: { "Content-Type": "text/html; charset=utf-8" } });
}

async function pageFor(url) {
  const address = new URL(url);
  if (address.origin !== self.location.origin || !KEPT_PAGE.test(address.pathname)) return;
  const asked = Date.now();
  try {
    const response = await fetch(url, {
      credentials: "same-origin",
      redirect: "manual",
      headers: { [CONFIG.keptCopyHeader]: "1" },
    });
    if (isKeptPage(response)) await keepPage(url, response, asked);
  } catch (error) {
    // Offline: kept on the next visit.
  }
}

// A new expense the network could not carry is kept, with its submission id, and sent later;
// the person lands on the group page, which lists it as waiting.
async function sendOrQueue(request, url) {
  const copy = request.clone();
  let response;
  try {
    response = await fetch(request);
  } catch (error) {
    const form = await copy.formData();
    const fields = [];
    for (const [name, value] of form.entries()) {
      // An empty file input sends an unnamed, empty file: nothing to keep.
      if (value instanceof File && !value.name && !value.size) continue;
      fields.push([name, value]);
    }
    const submissionId = form.get("submission_id");
    const groupId = url.pathname.match(NEW_EXPENSE)[1];
    await store("readwrite", (expenses) => expenses.put({
      id: submissionId,
      group: groupId,
      action: url.pathname,
      fields,
      queuedAt: new Date().toISOString(),
      refusal: null,
    }));
    if (self.registration.sync) {
      await self.registration.sync.register("expenses").catch(() => {});
    }
    return Response.redirect(`/groups/${groupId}/`, 303);
  }
  if (response.type === "opaqueredirect") {
    // Saved: a copy kept in the queue (refused before, then fixed) has nothing left to send.
    const submissionId = (await copy.formData()).get("submission_id");
    if (submissionId) await store("readwrite", (expenses) => expenses.delete(submissionId));
  }
  return response;
}

function openQueue() {
  return new Promise((resolve, reject) => {
    const opening = indexedDB.open(QUEUE_DB, 1);
    opening.onupgradeneeded = () => opening.result.createObjectStore(QUEUE_STORE, { keyPath: "id" });
    opening.onsuccess = () => resolve(opening.result);
    opening.onerror = () => reject(opening.error);
  });
}

async function store(mode, work) {
  const db = await openQueue();
  try {
    return await new Promise((resolve, reject) => {
      const transaction = db.transaction(QUEUE_STORE, mode);
      const request = work(transaction.objectStore(QUEUE_STORE));
      transaction.oncomplete = () => resolve(request.result);
      transaction.onerror = () => reject(transaction.error);
    });
  } finally {
    db.close();
  }
}

const allQueued = () => store("readonly", (expenses) => expenses.getAll());

async function forgetEverything() {
  forgottenAt = Date.now();
  await caches.delete(PAGES);
  await store("readwrite", (expenses) => expenses.clear());
}

async function csrfToken(fromPage) {
  if (self.cookieStore) {
    const cookie = await self.cookieStore.get(CONFIG.csrfCookie).catch(() => null);
    if (cookie) return cookie.value;
  }
  return fromPage;
}

let replaying = null;

// Sends every waiting expense once more. The server saves a submission id once and answers a
// repeat as it answered the first, so an expense whose answer was lost is not added twice.
function replay(tokenFromPage) {
  replaying ??= sendQueued(tokenFromPage).finally(() => { replaying = null; });
  return replaying;
}

async function sendQueued(tokenFromPage) {
  const token = await csrfToken(tokenFromPage);
  for (const entry of await allQueued()) {
    if (entry.refusal) continue;
    const body = new FormData();
    for (const [name, value] of entry.fields) body.append(name, value);
    // The token kept with the form may belong to a session since ended.
    if (token) body.set("csrfmiddlewaretoken", token);
    let response;
    try {
      response = await fetch(entry.action, { method: "POST", body, credentials: "same-origin" });
    } catch (error) {
      break;  // Still offline: the next sync, page load or `online` event tries again.
    }
    const landedOn = new URL(response.url).pathname;
    if (response.redirected && landedOn.startsWith(CONFIG.login)) break;  // Signed out: later.
    if (response.status >= 500) break;
    if (response.ok && response.redirected) {
      await store("readwrite", (expenses) => expenses.delete(entry.id));
      await pageFor(response.url);
      continue;
    }
    entry.refusal = {
      status: response.status,
      page: response.headers.get("Content-Type")?.startsWith("text/html") ? await response.text() : "",
    };
    await store("readwrite", (expenses) => expenses.put(entry));
  }
  await tellPages();
}

async function tellPages() {
  for (const client of await self.clients.matchAll({ type: "window" })) {
    client.postMessage({ type: "queue-changed" });
  }
}

self.addEventListener("sync", (event) => {
  if (event.tag === "expenses") event.waitUntil(replay(null));
});

// The pages ask through a message channel: the queue lives here, in one place.
self.addEventListener("message", (event) => {
  const reply = (value) => event.ports[0]?.postMessage(value);
  const message = event.data || {};
  const work = {
    replay: () => replay(message.token).then(allQueued),
    list: allQueued,
    get: () => store("readonly", (expenses) => expenses.get(message.id)),
    discard: () => store("readwrite", (expenses) => expenses.delete(message.id)).then(tellPages),
    keep: () => pageFor(message.url),
    forget: forgetEverything,
  }[message.type];
  if (work) event.waitUntil(work().then(reply, () => reply(null)));
});
{% endautoescape %}
