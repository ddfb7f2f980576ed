// Policies (§13): a published policy read as its rules, and a dry run on a proposal.

import * as api from "../api.js";
import { el } from "../dom.js";
import { currentRoute, heading, link, problemText, show, stillShowing } from "../page.js";

export function policiesView() {
  const input = el("input", { id: "policy-hash", required: "", pattern: "[0-9a-f]{64}", class: "mono", size: "66" });
  const form = el("form", { class: "inline" }, el("label", { for: "policy-hash" }, "Policy hash"), input, el("button", { type: "submit" }, "Show"));
  form.addEventListener("submit", ev => { ev.preventDefault(); location.hash = `#/policies/${input.value.trim()}`; });
  show(heading("Policies"),
    el("p", { class: "help" }, "A policy decides how an agent answers a proposal: CEL rules anyone can read, test and recompute (docs/policies.md). Policies are published by the hash of their content; enter one to read it and try it on a proposal."),
    form);
}

export async function policyView(policyHash) {
  const shown = currentRoute();
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
  if (!stillShowing(shown)) return;
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
