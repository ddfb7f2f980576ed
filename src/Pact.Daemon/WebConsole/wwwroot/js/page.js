// What every view shares: the page's main area and status line, the current route (so that a slow view left
// behind does not draw or open a stream), headings and links, the daemon's identity, and agents' names.

import * as api from "./api.js";
import { el } from "./dom.js";
import { rememberName, who } from "./describe.js";

const main = document.getElementById("main");
const status = document.getElementById("status");
const leaving = [];
let routeCount = 0;
let daemonInfo = null;
let firstView = true;

/** State the browser tests read: the open timeline's stream, and what was verified. */
window.pactConsole = { stream: null, verified: {} };

/** Starts a new route: what the previous view asked to undo (streams) is undone. */
export function beginRoute() {
  routeCount++;
  for (const undo of leaving.splice(0)) undo();
}

/** The current route's number, to pass to stillShowing after an await. */
export function currentRoute() { return routeCount; }

/** Whether the view that started as route number `n` is still the one shown. */
export function stillShowing(n) { return n === routeCount; }

/** Runs `undo` when the user leaves this view. */
export function onLeave(undo) { leaving.push(undo); }

export function say(text, tone = "neutral") {
  status.textContent = text;
  status.dataset.tone = tone;
}

/** Replaces the page's content; after a navigation (not on load) focus moves to its heading, for screen readers. */
export function show(...nodes) {
  main.replaceChildren(...nodes);
  if (!firstView) main.querySelector("h1")?.focus();
  firstView = false;
}

export function heading(text) { return el("h1", { tabindex: "-1" }, text); }

export function link(href, text) { return el("a", { href }, text); }

export function agentLink(did) { return link(`#/agents/${encodeURIComponent(did)}`, who(did)); }

export function problemText(e) { return e instanceof api.ApiError ? `${e.code ?? "HTTP " + e.status}: ${e.message}` : String(e?.message ?? e); }

export async function daemon() {
  return daemonInfo ??= await api.get("/v1/daemon");
}

export async function nameAgents(dids) {
  await Promise.all([...new Set(dids)].filter(d => d && d.startsWith("did:")).map(async did => {
    try { rememberName(did, (await api.get(`/v1/agents/${encodeURIComponent(did)}`)).displayName); } catch { /* an unknown agent keeps its did */ }
  }));
}
