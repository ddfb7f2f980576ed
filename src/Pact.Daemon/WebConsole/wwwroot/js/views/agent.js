// An agent and its passport (§16).

import * as api from "../api.js";
import { el } from "../dom.js";
import { rememberName, when } from "../describe.js";
import { currentRoute, heading, problemText, show, stillShowing } from "../page.js";

export async function agentView(agentId) {
  const shown = currentRoute();
  let agent, passport;
  try {
    agent = await api.get(`/v1/agents/${encodeURIComponent(agentId)}`);
    passport = await api.get(`/v1/agents/${encodeURIComponent(agentId)}/passport`);
  } catch (e) { show(heading("Agent"), el("p", { class: "bad" }, problemText(e))); return; }
  rememberName(agent.agentId, agent.displayName);
  const c = passport.counts;
  if (!stillShowing(shown)) return;
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
