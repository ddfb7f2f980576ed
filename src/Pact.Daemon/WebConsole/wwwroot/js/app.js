// The console: sign-in, sessions (live), a session's timeline (SSE with resume), compacts, and the log, each
// checked in the page against the daemon's signed checkpoint. Routes live in the URL fragment: #/sessions, …

import * as api from "./api.js";
import { changesView, describe, el, rememberName, termsChanges, termsView, when, who } from "./describe.js";
import * as verify from "./verify.js";

const main = document.getElementById("main");
const status = document.getElementById("status");
let cleanup = [];
let daemonInfo = null;
let routeCount = 0;

/** Whether the view that started as route number `n` is still the one shown (a slow load must not open a stream for a page left behind). */
function stillShowing(n) { return n === routeCount; }

/** State the browser tests read: the open timeline's stream, and what was verified. */
window.pactConsole = { stream: null, verified: {} };

function say(text, tone = "neutral") {
  status.textContent = text;
  status.dataset.tone = tone;
}

let firstView = true;

/** Replaces the page's content; after a navigation (not on load) focus moves to its heading, for screen readers. */
function show(...nodes) {
  main.replaceChildren(...nodes);
  if (!firstView) main.querySelector("h1")?.focus();
  firstView = false;
}

function heading(text) { return el("h1", { tabindex: "-1" }, text); }

function link(href, text) { return el("a", { href }, text); }

function problemText(e) { return e instanceof api.ApiError ? `${e.code ?? "HTTP " + e.status}: ${e.message}` : String(e?.message ?? e); }

async function daemon() {
  return daemonInfo ??= await api.get("/v1/daemon");
}

async function nameAgents(dids) {
  await Promise.all([...new Set(dids)].filter(d => d && d.startsWith("did:")).map(async did => {
    try { rememberName(did, (await api.get(`/v1/agents/${encodeURIComponent(did)}`)).displayName); } catch { /* an unknown agent keeps its did */ }
  }));
}

// ---- sign-in ----

function signIn() {
  const input = el("input", { id: "token", type: "password", autocomplete: "off", required: "", "aria-describedby": "token-help" });
  const form = el("form", { class: "card" },
    el("label", { for: "token" }, "Token"),
    input,
    el("p", { id: "token-help", class: "help" },
      "The admin token (data/admin.token on the daemon's machine) sees everything; an agent's bearer token (from POST /v1/auth/token) sees what that agent may read. It stays in this tab's session storage."),
    el("button", { type: "submit" }, "Sign in"));
  form.addEventListener("submit", async ev => {
    ev.preventDefault();
    api.session.token = input.value.trim();
    try {
      await api.get("/v1/sessions?limit=1");
      location.hash = "#/sessions";
    } catch (e) {
      api.session.token = null;
      say(`Sign-in refused — ${problemText(e)}`, "bad");
    }
  });
  show(heading("Sign in to the Pact console"), form);
}

// ---- sessions ----

async function sessionsView() {
  const shown = routeCount;
  const body = el("tbody");
  const table = el("table", { class: "list", id: "sessions" },
    el("caption", {}, "Sessions you may read, newest activity first"),
    el("thead", {}, el("tr", {}, ...["Session", "Status", "Participants", "Topic", "Events", "Last activity"].map(h => el("th", { scope: "col" }, h)))),
    body);
  show(heading("Sessions"), table);
  const lastActivity = new Map();

  async function load() {
    const all = [];
    let after = null;
    do {
      const page = await api.get("/v1/sessions?limit=200" + (after ? "&after=" + encodeURIComponent(after) : ""));
      all.push(...page.sessions);
      after = page.next;
    } while (after && all.length < 2000);
    await nameAgents(all.flatMap(s => s.participants));
    await lastEventTimes(all.filter(s => !lastActivity.has(s.sessionId) && s.head).slice(0, 200));
    all.sort((x, y) => (lastActivity.get(y.sessionId) ?? "").localeCompare(lastActivity.get(x.sessionId) ?? "") || y.sessionId.localeCompare(x.sessionId));
    body.replaceChildren(...all.map(s => el("tr", { "data-session": s.sessionId },
      el("td", {}, link(`#/sessions/${s.sessionId}`, s.sessionId)),
      el("td", {}, el("span", { class: "badge " + s.status }, s.status)),
      el("td", {}, s.participants.map(who).join(", ")),
      el("td", {}, s.topic ?? "—"),
      el("td", { class: "num" }, s.head?.streamSeq ?? 0),
      el("td", {}, when(lastActivity.get(s.sessionId)) || "—"))));
    if (all.length === 0) body.append(el("tr", {}, el("td", { colspan: "6" }, "No sessions yet. Run the kitchen-remodel sample to see one.")));
  }

  /** The time of each session's newest event (its stream head), a few requests at a time. */
  async function lastEventTimes(sessions) {
    for (let i = 0; i < sessions.length; i += 6) {
      await Promise.all(sessions.slice(i, i + 6).map(async s => {
        try {
          const page = await api.get(`/v1/sessions/${encodeURIComponent(s.sessionId)}/events?after=${s.head.streamSeq - 1}&limit=1`);
          if (page.events[0]) lastActivity.set(s.sessionId, page.events[0].time);
        } catch { /* shown as unknown */ }
      }));
    }
  }

  try {
    await load();
    if (!stillShowing(shown)) return;
    say("Sessions are live: new activity appears as it is committed.");
  } catch (e) { if (stillShowing(shown)) say(problemText(e), "bad"); return; }

  // Every committed event the caller may read arrives here; the list reloads at most every half second.
  let pending = null;
  const stream = api.tail("/v1/events/stream?after=head", {
    onEvent: e => {
      lastActivity.set(e.stream, e.time);
      pending ??= setTimeout(() => { pending = null; load().catch(err => say(problemText(err), "bad")); }, 500);
    },
    onState: (state, error) => state === "refused" && say(problemText(error), "bad"),
  });
  cleanup.push(() => stream.stop());
}

// ---- a session's timeline ----

async function sessionView(sessionId) {
  const shown = routeCount;
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
    checking = checking.then(async () => {
      const result = await verify.checkChain(events);
      chain.textContent = result.ok ? `✓ Chain of ${result.checked} events verified: every hash recomputed and linked.` : `✗ ${result.failure}`;
      chain.dataset.tone = result.ok ? "good" : "bad";
      window.pactConsole.verified.chain = result;
    });
  }

  const stream = api.tail(`/v1/sessions/${encodeURIComponent(sessionId)}/events/stream?after=0`, {
    onEvent: e => add(e),
    onState: (s, error) => {
      state.textContent = s === "live" ? "Live: new events appear as they are committed."
        : s === "reconnecting" ? "Connection lost; resuming from the last event received…" : problemText(error);
    },
  });
  window.pactConsole.stream = stream;
  cleanup.push(() => { stream.stop(); window.pactConsole.stream = null; });
}

/** Under a counter-proposal, the terms it changed: the replaced proposal's against the new one's. */
async function showCounterChanges(item, replacedId, byId) {
  try {
    const [before, after] = await Promise.all([replacedId, byId].map(id => api.get(`/v1/proposals/${encodeURIComponent(id)}`)));
    const changes = termsChanges(before.terms ?? {}, after.terms ?? {});
    item.querySelector(".what").after(changesView(changes));
  } catch (e) { item.querySelector(".what").after(el("p", { class: "help" }, "The changed terms cannot be shown: " + problemText(e))); }
}

// ---- the log ----

async function latestCheckpoint() {
  const info = await daemon();
  const note = await api.get("/v1/log/checkpoint", "text/plain");
  return verify.verifyCheckpointNote(note, verify.fromBase64(info.publicKey), info.origin);
}

async function checkInclusion(e) {
  const checkpoint = await latestCheckpoint();
  if (checkpoint.treeSize < e.seq) throw new Error("not yet covered by a signed checkpoint; try again in a second");
  const proof = await api.get(`/v1/log/proof/inclusion?seq=${e.seq}&treeSize=${checkpoint.treeSize}`);
  const ok = await verify.verifyInclusion(e, proof, checkpoint);
  window.pactConsole.verified[e.seq] = ok;
  return ok;
}

async function logView() {
  const result = el("div", { id: "checkpoint", class: "card" }, "Verifying the latest checkpoint…");
  const form = el("form", { class: "inline" },
    el("label", { for: "seq" }, "Event seq"), el("input", { id: "seq", type: "number", min: "1", required: "" }),
    el("button", { type: "submit" }, "Check inclusion"));
  const proofResult = el("p", { id: "inclusion", class: "check" });
  show(heading("The log"), el("p", { class: "help" },
    "Every event is a leaf of one Merkle tree. The daemon signs its root and size; this page checks that signature with the daemon's public key, and checks inclusion proofs against the signed root, here in your browser."),
    result, el("h2", {}, "Inclusion of one event"), form, proofResult);
  try {
    const info = await daemon();
    const checkpoint = await latestCheckpoint();
    window.pactConsole.verified.checkpoint = true;
    result.dataset.tone = "good";
    result.replaceChildren(
      el("p", {}, "✓ Signature verified with the daemon's key."),
      el("dl", { class: "facts" },
        el("dt", {}, "Origin"), el("dd", {}, checkpoint.origin),
        el("dt", {}, "Tree size"), el("dd", {}, checkpoint.treeSize),
        el("dt", {}, "Root hash"), el("dd", { class: "mono" }, checkpoint.rootHex),
        el("dt", {}, "Daemon"), el("dd", { class: "mono" }, info.daemonId)));
  } catch (e) {
    window.pactConsole.verified.checkpoint = false;
    result.dataset.tone = "bad";
    result.textContent = "✗ The checkpoint does not verify: " + problemText(e);
  }
  form.addEventListener("submit", async ev => {
    ev.preventDefault();
    const seq = Number(form.querySelector("#seq").value);
    proofResult.textContent = "checking…";
    try {
      const page = await findEvent(seq);
      const ok = await checkInclusion(page);
      proofResult.textContent = ok ? `✓ Event ${seq} (${page.type}) is in the signed log.` : `✗ The proof for event ${seq} does not lead to the signed root.`;
      proofResult.dataset.tone = ok ? "good" : "bad";
    } catch (e) { proofResult.textContent = "✗ " + problemText(e); proofResult.dataset.tone = "bad"; }
  });
}

/** An event by its global seq, read from its session's stream (the only place events are served from). */
async function findEvent(seq) {
  let after = null;
  do {
    const page = await api.get("/v1/sessions?limit=200" + (after ? "&after=" + encodeURIComponent(after) : ""));
    for (const s of page.sessions) {
      let from = 0;
      for (;;) {
        const events = await api.get(`/v1/sessions/${encodeURIComponent(s.sessionId)}/events?after=${from}&limit=500`);
        const hit = events.events.find(e => e.seq === seq);
        if (hit) return hit;
        if (events.next === null || events.events.length === 0 || events.events[events.events.length - 1].seq > seq) break;
        from = events.next;
      }
    }
    after = page.next;
  } while (after);
  throw new Error(`no event ${seq} that you may read`);
}

// ---- compacts ----

async function compactView(compactId) {
  let compact, record;
  try {
    compact = await api.get(`/v1/compacts/${encodeURIComponent(compactId)}`);
    record = await api.get(`/v1/compacts/${encodeURIComponent(compactId)}/versions/${compact.currentVersion}`);
  } catch (e) { show(heading("Compact"), el("p", { class: "bad" }, problemText(e))); return; }
  await nameAgents([compact.parties.a.agent, compact.parties.b.agent]);
  const versions = el("table", { class: "list" },
    el("caption", {}, "Versions"),
    el("thead", {}, el("tr", {}, ...["Version", "Status", "In force since", "Session", "Compact hash"].map(h => el("th", { scope: "col" }, h)))),
    el("tbody", {}, ...compact.versions.map(v => el("tr", {},
      el("td", { class: "num" }, v.version), el("td", {}, el("span", { class: "badge " + v.status }, v.status)),
      el("td", {}, when(v.inForceAt)), el("td", {}, link(`#/sessions/${v.sessionId}`, v.sessionId)), el("td", { class: "mono" }, v.compactHash.slice(0, 16) + "…")))));
  const signatures = el("ul", {}, ...record.signatures.map(s => el("li", {}, `Party ${s.party.toUpperCase()} (${who(s.agent)}) signed at ${when(s.signedAt)}, authorized by ${s.principalAuthorization?.method ?? "?"}`)));
  show(heading(`Compact ${compactId}`),
    el("dl", { class: "facts" },
      el("dt", {}, "State"), el("dd", {}, el("span", { class: "badge " + compact.status }, compact.status)),
      el("dt", {}, "Current version"), el("dd", {}, compact.currentVersion),
      el("dt", {}, "Parties"), el("dd", {}, agentLink(compact.parties.a.agent), " and ", agentLink(compact.parties.b.agent))),
    el("h2", {}, "Terms"), termsView(record.terms),
    el("h2", {}, "Signatures"), signatures,
    versions,
    el("h2", {}, "Dispositions in force"), await dispositionsView(compactId),
    el("h2", {}, "May a party do this?"), complianceForm(compactId, record.terms));
}

async function dispositionsView(compactId) {
  let report;
  try { report = await api.get(`/v1/compacts/${encodeURIComponent(compactId)}/dispositions`); }
  catch (e) { return el("p", { class: "bad" }, problemText(e)); }
  const duty = d => {
    const parts = [d.duty];
    if (d.until) parts.push(`until ${when(d.until)}`);
    if (d.since) parts.push(`since ${when(d.since)}`);
    if (d.derive?.length) parts.push(`may derive ${d.derive.join(", ")}`);
    if (d.propagate?.length) parts.push(`may pass to ${d.propagate.map(p => p.to).join(", ")}`);
    return parts.join("; ");
  };
  return el("div", { id: "dispositions" },
    el("p", { class: "help" }, `Version ${report.version}, ${report.status}, governed by ${report.governedBy} as of ${when(report.at)}.`),
    el("table", { class: "list" },
      el("caption", {}, "What each party must do with each category now"),
      el("thead", {}, el("tr", {}, ...["Party", "Category", "Duty", "Basis", "Suspended"].map(h => el("th", { scope: "col" }, h)))),
      el("tbody", {}, ...["a", "b"].flatMap(role => report.parties[role].map(d => el("tr", {},
        el("td", {}, role.toUpperCase()), el("th", { scope: "row" }, d.category), el("td", {}, duty(d)), el("td", {}, d.basis),
        el("td", {}, d.suspended ? "yes, a revocation by the other party is pending" : "no")))))));
}

const complianceSteps = ["compact-status", "effective", "lifecycle-gap", "retention", "retention-period", "derivation", "propagation", "recipient-compact"];

/** The §6.3 check as a form: the eight steps in order, the failing one highlighted, the ones not reached greyed. */
function complianceForm(compactId, terms) {
  const field = (id, label, control) => el("div", { class: "field" }, el("label", { for: id }, label), control);
  const party = el("select", { id: "check-party" }, el("option", { value: "a" }, "A"), el("option", { value: "b" }, "B"));
  const action = el("select", { id: "check-action" }, ...["retain", "derive", "propagate"].map(a => el("option", { value: a }, a)));
  const category = el("select", { id: "check-category" });
  const operation = el("input", { id: "check-operation", placeholder: "e.g. work-history-summary" });
  const recipient = el("input", { id: "check-recipient", placeholder: "e.g. licensing-board" });
  const at = el("input", { id: "check-at", placeholder: "now, or 2027-06-01T00:00:00.000Z" });
  const tier = el("select", { id: "check-tier" }, el("option", { value: "" }, "—"), ...["basic", "standard", "advanced"].map(t => el("option", { value: t }, t)));
  const fillCategories = () => category.replaceChildren(...(terms.retention?.[party.value] ?? []).map(e => el("option", { value: e.category }, e.category)));
  party.addEventListener("change", fillCategories);
  fillCategories();
  const result = el("div", { id: "check-result", "aria-live": "polite" });
  const form = el("form", { class: "card check-form" },
    field("check-party", "Party", party), field("check-action", "Action", action), field("check-category", "Category", category),
    field("check-operation", "Operation (derive)", operation), field("check-recipient", "Recipient (propagate)", recipient),
    field("check-tier", "Recipient's compact tier (propagate)", tier), field("check-at", "At (optional)", at),
    el("button", { type: "submit" }, "Check"));
  form.addEventListener("submit", async ev => {
    ev.preventDefault();
    const request = { party: party.value, action: action.value, category: category.value };
    if (at.value.trim()) request.at = at.value.trim();
    if (action.value === "derive") request.operation = operation.value.trim();
    if (action.value === "propagate") {
      request.recipient = recipient.value.trim();
      if (tier.value) request.recipientCompactTier = tier.value;
    }
    try {
      const decision = await api.post(`/v1/compacts/${encodeURIComponent(compactId)}/check`, request);
      const byStep = new Map(decision.trace.map(t => [t.step, t]));
      result.replaceChildren(
        el("p", { class: "check", "data-tone": decision.allowed ? "good" : "bad" }, `${decision.allowed ? "✓ Allowed" : "✗ " + decision.code}: ${decision.explanation}`),
        el("ol", { class: "steps" }, ...complianceSteps.map(step => {
          const t = byStep.get(step);
          return el("li", { class: "step " + (t?.result ?? "unreached"), "data-step": step },
            el("strong", {}, step), " — ", t ? `${t.result}: ${t.detail}` : "not reached");
        })));
    } catch (e) { result.replaceChildren(el("p", { class: "bad" }, problemText(e))); }
  });
  return el("div", {}, form, result);
}

// ---- an agent and its passport ----

function agentLink(did) { return link(`#/agents/${encodeURIComponent(did)}`, who(did)); }

async function agentView(agentId) {
  let agent, passport;
  try {
    agent = await api.get(`/v1/agents/${encodeURIComponent(agentId)}`);
    passport = await api.get(`/v1/agents/${encodeURIComponent(agentId)}/passport`);
  } catch (e) { show(heading("Agent"), el("p", { class: "bad" }, problemText(e))); return; }
  rememberName(agent.agentId, agent.displayName);
  const c = passport.counts;
  show(heading(agent.displayName ? `${agent.displayName}` : `Agent ${agentId}`),
    el("dl", { class: "facts" },
      el("dt", {}, "Agent"), el("dd", { class: "mono" }, agent.agentId),
      el("dt", {}, "Acts for"), el("dd", {}, `${agent.principal.name} (${agent.principal.kind})`),
      el("dt", {}, "Registered"), el("dd", {}, when(agent.registeredAt))),
    el("h2", {}, "Passport"),
    el("p", { class: "help" }, `Computed from this daemon's log as of event ${passport.asOfSeq} (${when(passport.asOf)}); anyone holding the log gets the same figures and hash.`),
    el("dl", { class: "facts", id: "passport" },
      el("dt", {}, "Score"), el("dd", {}, `${passport.score} of 100`),
      el("dt", {}, "Confidence"), el("dd", {}, `${Math.round(passport.confidence * 100)} %`),
      el("dt", {}, "Compacts entered"), el("dd", {}, c.compacts),
      el("dt", {}, "Honored"), el("dd", {}, c.honored),
      el("dt", {}, "In force"), el("dd", {}, c.active),
      el("dt", {}, "Revoked by it / by the other side"), el("dd", {}, `${c.revokedByAgent} / ${c.revokedByCounterparty}`),
      el("dt", {}, "Acknowledgments it left waiting"), el("dd", {}, c.failures),
      el("dt", {}, "Passport hash"), el("dd", { class: "mono" }, passport.passportHash)),
    passport.recentFailures.length
      ? el("section", {}, el("h3", {}, "Recent failures"), el("ul", {}, ...passport.recentFailures.map(f =>
          el("li", {}, `${f.code} at ${when(f.at)} (event ${f.seq}); evidence ${f.evidenceRefs.join(", ")}`))))
      : el("p", {}, "No failures counted against it."));
}

// ---- policies ----

function policiesView() {
  const input = el("input", { id: "policy-hash", required: "", pattern: "[0-9a-f]{64}", class: "mono", size: "66" });
  const form = el("form", { class: "inline" }, el("label", { for: "policy-hash" }, "Policy hash"), input, el("button", { type: "submit" }, "Show"));
  form.addEventListener("submit", ev => { ev.preventDefault(); location.hash = `#/policies/${input.value.trim()}`; });
  show(heading("Policies"),
    el("p", { class: "help" }, "A policy decides how an agent answers a proposal: CEL rules anyone can read, test and recompute (docs/policies.md). Policies are published by the hash of their content; enter one to read it and try it on a proposal."),
    form);
}

async function policyView(policyHash) {
  let policy;
  try { policy = await api.get(`/v1/policies/${encodeURIComponent(policyHash)}`); }
  catch (e) { show(heading("Policy"), el("p", { class: "bad" }, problemText(e))); return; }
  const rules = el("table", { class: "list", id: "rules" },
    el("caption", {}, "Its own rules, in order (rules of the policies it extends come first)"),
    el("thead", {}, el("tr", {}, ...["#", "Rule", "When", "Effect", "Reason", "Counter with"].map(h => el("th", { scope: "col" }, h)))),
    el("tbody", {}, ...(policy.rules ?? []).map((r, i) => el("tr", { "data-rule": r.id },
      el("td", { class: "num" }, i + 1), el("th", { scope: "row" }, r.id), el("td", {}, el("code", {}, r.when)),
      el("td", {}, el("span", { class: "badge effect-" + r.effect }, r.effect)), el("td", {}, r.reason ?? "—"),
      el("td", {}, (r.set ?? []).map(x => `${x.pointer} = ${JSON.stringify(x.value)}`).join("; ") || "—")))));
  const proposal = el("input", { id: "try-proposal", required: "", placeholder: "prp_…", class: "mono" });
  const me = el("select", { id: "try-me" }, el("option", { value: "" }, "the caller's own party"), el("option", { value: "a" }, "A"), el("option", { value: "b" }, "B"));
  const result = el("div", { id: "decision", "aria-live": "polite" });
  const form = el("form", { class: "inline" },
    el("label", { for: "try-proposal" }, "Proposal"), proposal, el("label", { for: "try-me" }, "Judge as party"), me,
    el("button", { type: "submit" }, "Evaluate"));
  form.addEventListener("submit", async ev => {
    ev.preventDefault();
    const request = { policyHash, proposalId: proposal.value.trim() };
    if (me.value) request.me = me.value;
    try {
      const evaluation = await api.post("/v1/policies/evaluate", request);
      const d = evaluation.decision;
      result.replaceChildren(
        el("p", { class: "check", "data-tone": d.effect === "sign" ? "good" : d.effect === "decline" ? "bad" : "neutral" },
          `Decision: ${d.effect}${d.ruleId ? ` by rule ${d.ruleId}` : " by the default"}${d.reason ? ` — ${d.reason}` : ""}`),
        el("p", { class: "help" }, "Decision hash ", el("span", { class: "mono" }, evaluation.decisionHash), " (recomputable by anyone from the transcript and the published policies)."),
        el("table", { class: "list", id: "trace" },
          el("caption", {}, "Every rule evaluated, in order, up to the deciding one"),
          el("thead", {}, el("tr", {}, ...["Rule", "Defined in", "Result"].map(h => el("th", { scope: "col" }, h)))),
          el("tbody", {}, ...d.trace.map(t => el("tr", { class: "trace " + t.result },
            el("th", { scope: "row" }, t.ruleId), el("td", {}, link(`#/policies/${t.policyHash}`, t.policyHash.slice(0, 12) + "…")),
            el("td", {}, t.result + (t.error ? `: ${t.error}` : "")))))),
        el("details", {}, el("summary", {}, "The input it was judged on"), el("pre", {}, JSON.stringify(evaluation.input, null, 2))));
    } catch (e) { result.replaceChildren(el("p", { class: "bad" }, problemText(e))); }
  });
  show(heading(`Policy “${policy.name}”`),
    el("dl", { class: "facts" },
      el("dt", {}, "Hash"), el("dd", { class: "mono" }, policyHash),
      el("dt", {}, "Extends"), el("dd", {}, ...((policy.extends ?? []).length ? policy.extends.flatMap((h, i) => [i ? ", " : "", link(`#/policies/${h}`, h.slice(0, 12) + "…")]) : ["nothing"])),
      el("dt", {}, "When no rule is true"), el("dd", {}, policy.default)),
    rules,
    el("h2", {}, "Try it on a proposal"),
    el("p", { class: "help" }, "A dry run: nothing is recorded. The input is the one the daemon would use for that proposal, with the counterparty's passport as of the event before it."),
    form, result);
}

// ---- routing ----

async function route() {
  routeCount++;
  for (const undo of cleanup.splice(0)) undo();
  const signedIn = !!api.session.token;
  document.getElementById("signout").hidden = !signedIn;
  say("");
  const path = location.hash.replace(/^#/, "") || "/sessions";
  if (!signedIn) return signIn();
  const parts = path.split("/").filter(Boolean).map(decodeURIComponent);
  for (const a of document.querySelectorAll("nav a")) a.toggleAttribute("aria-current", path.startsWith(a.getAttribute("href").slice(1)));
  try {
    if (parts[0] === "sessions" && parts[1]) return await sessionView(parts[1]);
    if (parts[0] === "compacts" && parts[1]) return await compactView(parts[1]);
    if (parts[0] === "agents" && parts[1]) return await agentView(parts[1]);
    if (parts[0] === "policies") return parts[1] ? await policyView(parts[1]) : policiesView();
    if (parts[0] === "log") return await logView();
    return await sessionsView();
  } catch (e) {
    if (e instanceof api.ApiError && e.status === 401) { api.session.token = null; return signIn(); }
    say(problemText(e), "bad");
  }
}

document.getElementById("signout").addEventListener("click", () => { api.session.token = null; location.hash = "#/"; route(); });
window.addEventListener("hashchange", route);
route();
