// A session: its state and its timeline, tailed over SSE, told in sentences and checked as a chain.

import * as api from "../api.js";
import { el } from "../dom.js";
import { changesView, describe, termsChanges, when } from "../describe.js";
import { agentLink, currentRoute, heading, link, nameAgents, onLeave, problemText, show, stillShowing } from "../page.js";
import * as verify from "../verify.js";
import { checkInclusion } from "./log.js";

export async function sessionView(sessionId) {
  const shown = currentRoute();
  const list = el("ol", { class: "timeline", id: "timeline", "aria-live": "polite" });
  const chain = el("p", { id: "chain", class: "check" }, "Checking the chain…");
  const state = el("p", { id: "stream-state", class: "help" }, "Connecting…");
  let session;
  try {
    session = await api.get(`/v1/sessions/${encodeURIComponent(sessionId)}`);
  } catch (e) { show(heading("Session"), el("p", { class: "bad" }, problemText(e))); return; }
  await nameAgents(session.participants);
  if (!stillShowing(shown)) return;
  const compacts = el("ul", {}, ...session.compacts.map(c => el("li", {}, link(`#/compacts/${c.compactId}`, `${c.compactId} v${c.version}`), ` — ${c.status}`)));
  show(heading(`Session ${sessionId}`),
    el("dl", { class: "facts" },
      el("dt", {}, "Status"), el("dd", {}, el("span", { class: "badge " + session.status }, session.status)),
      el("dt", {}, "Participants"), el("dd", {}, ...session.participants.flatMap((p, i) => i ? [", ", agentLink(p)] : [agentLink(p)])),
      el("dt", {}, "Topic"), el("dd", {}, session.topic ?? "—")),
    session.compacts.length ? el("section", {}, el("h2", {}, "Compacts"), compacts) : "",
    el("h2", {}, "Timeline"), state, chain, list);

  const events = [];
  const seen = new Set();
  let checking = Promise.resolve();

  function render(e) {
    const { text, tone } = describe(e);
    const raw = el("details", {}, el("summary", {}, "Raw event"), el("pre", {}, JSON.stringify(e, null, 2)));
    const proof = el("button", { type: "button", class: "small" }, "Check inclusion");
    const proofResult = el("span", { class: "check" });
    proof.addEventListener("click", async () => {
      proofResult.textContent = "checking…";
      try {
        const ok = await checkInclusion(e);
        proofResult.textContent = ok ? "✓ in the signed log" : "✗ does not verify";
        proofResult.dataset.tone = ok ? "good" : "bad";
      } catch (err) { proofResult.textContent = "✗ " + problemText(err); proofResult.dataset.tone = "bad"; }
    });
    const item = el("li", { class: "event " + tone, "data-seq": e.seq, "data-stream-seq": e.streamSeq, "data-type": e.type },
      el("div", { class: "when" }, `#${e.streamSeq} · ${when(e.time)}`),
      el("div", { class: "what" }, text),
      el("div", { class: "tools" }, proof, proofResult), raw);
    if (e.type === "proposal.countered") showCounterChanges(item, e.data.proposalId, e.data.by);
    return item;
  }

  function add(e) {
    // Resuming with Last-Event-ID must neither skip nor repeat: a repeat would show here as a duplicate.
    if (seen.has(e.streamSeq)) { window.pactConsole.duplicates = (window.pactConsole.duplicates ?? 0) + 1; return; }
    seen.add(e.streamSeq);
    events.push(e);
    list.append(render(e));
    checking = checking.then(() => extendChain(e));
  }

  // The chain is checked as it grows (each new event against the last verified one), then anchored: once the signed
  // checkpoint covers the newest event, that event's inclusion proof ties the whole chain to the signed log.
  let verifiedCount = 0, lastHash = verify.genesisHash, broken = null, anchorTimer = null;
  async function extendChain(e) {
    if (broken) return;
    const result = e.stream !== sessionId
      ? { ok: false, failure: `event ${e.streamSeq} belongs to ${e.stream}, not this session` }
      : await verify.checkChain([e], lastHash);
    if (!result.ok || (verifiedCount === 0 && e.streamSeq !== 1)) {
      broken = result.failure ?? `the stream starts at ${e.streamSeq}, not 1`;
      chain.textContent = `✗ ${broken}`;
      chain.dataset.tone = "bad";
      window.pactConsole.verified.chain = { ok: false, checked: verifiedCount, failure: broken };
      return;
    }
    verifiedCount++;
    lastHash = e.hash;
    chain.textContent = `✓ Chain of ${verifiedCount} events verified: every hash recomputed and linked. Anchoring it in the signed log…`;
    chain.dataset.tone = "good";
    window.pactConsole.verified.chain = { ok: true, checked: verifiedCount };
    clearTimeout(anchorTimer);
    anchorTimer = setTimeout(() => anchor(e, verifiedCount), 1200);
  }

  async function anchor(head, count, attempt = 0) {
    if (broken || !stillShowing(shown) || verifiedCount !== count) return;
    try {
      const ok = await checkInclusion(head);
      if (verifiedCount !== count || broken) return;
      chain.textContent = ok
        ? `✓ Chain of ${count} events verified: every hash recomputed and linked, and its newest event is in the daemon's signed log.`
        : `✗ The newest event (${head.streamSeq}) is not in the daemon's signed log.`;
      chain.dataset.tone = ok ? "good" : "bad";
      window.pactConsole.verified.anchored = ok;
    } catch {
      // Not yet covered by a signed checkpoint (they follow within a second): try again shortly.
      if (attempt < 10) anchorTimer = setTimeout(() => anchor(head, count, attempt + 1), 1000);
    }
  }

  const stream = api.tail(`/v1/sessions/${encodeURIComponent(sessionId)}/events/stream?after=0`, {
    onEvent: e => add(e),
    onState: (s, error) => {
      state.textContent = s === "live" ? "Live: new events appear as they are committed."
        : s === "reconnecting" ? "Connection lost; resuming from the last event received…" : problemText(error);
    },
  });
  window.pactConsole.stream = stream;
  onLeave(() => { stream.stop(); clearTimeout(anchorTimer); window.pactConsole.stream = null; });
}

/** Under a counter-proposal, the terms it changed: the replaced proposal's against the new one's. */
async function showCounterChanges(item, replacedId, byId) {
  try {
    const [before, after] = await Promise.all([replacedId, byId].map(id => api.get(`/v1/proposals/${encodeURIComponent(id)}`)));
    const changes = termsChanges(before.terms ?? {}, after.terms ?? {});
    item.querySelector(".what").after(changesView(changes));
  } catch (e) { item.querySelector(".what").after(el("p", { class: "help" }, "The changed terms cannot be shown: " + problemText(e))); }
}
