// A compact: its terms, signatures, versions, the dispositions in force and the compliance check of §6.3.

import * as api from "../api.js";
import { el } from "../dom.js";
import { termsView, when, who } from "../describe.js";
import { agentLink, currentRoute, heading, link, nameAgents, problemText, show, stillShowing } from "../page.js";

export async function compactView(compactId) {
  const shown = currentRoute();
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
  const dispositions = await dispositionsView(compactId);
  if (!stillShowing(shown)) return;
  show(heading(`Compact ${compactId}`),
    el("dl", { class: "facts" },
      el("dt", {}, "State"), el("dd", {}, el("span", { class: "badge " + compact.status }, compact.status)),
      el("dt", {}, "Current version"), el("dd", {}, compact.currentVersion),
      el("dt", {}, "Parties"), el("dd", {}, agentLink(compact.parties.a.agent), " and ", agentLink(compact.parties.b.agent))),
    el("h2", {}, "Terms"), termsView(record.terms),
    el("h2", {}, "Signatures"), signatures,
    versions,
    el("h2", {}, "Dispositions in force"), dispositions,
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
