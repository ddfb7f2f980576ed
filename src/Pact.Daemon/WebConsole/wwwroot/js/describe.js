// Events and terms in words a person reads: who did what, when and why (§8.2), and a compact's terms as a table.

import { el } from "./dom.js";

const names = new Map(); // did:key → display name, filled by the app as agents are looked up

export function rememberName(did, name) { if (did && name) names.set(did, name); }

/** A did:key shortened to its start and end, or the agent's display name when known. */
export function who(did) {
  if (!did) return "someone";
  if (did === "daemon") return "the daemon";
  if (names.has(did)) return names.get(did);
  return did.length > 24 ? did.slice(0, 14) + "…" + did.slice(-6) : did;
}

export function when(time) {
  if (!time) return "";
  const d = new Date(time);
  return isNaN(d) ? time : d.toISOString().replace("T", " ").replace(/\.\d+Z$/, " UTC").replace(/Z$/, " UTC");
}

const failureWhy = {
  "PACT-501": "a proposal expired before it was answered",
  "PACT-502": "an acknowledgment that was owed did not come in time",
  "PACT-503": "a bundle member was not prepared before the bundle closed",
};

/** One sentence for an event, and whether it is good news, bad news or neither (for its colour). */
export function describe(e) {
  const d = e.data ?? {};
  const actor = who(e.actor);
  switch (e.type) {
    case "session.created":
      return { text: `${actor} opened the session with ${(d.participants ?? []).map(who).join(", ")}${d.topic ? ` about “${d.topic}”` : ""}.`, tone: "neutral" };
    case "session.suspended": return { text: `${actor} suspended the session.`, tone: "warn" };
    case "session.resumed": return { text: `${actor} resumed the session.`, tone: "neutral" };
    case "session.terminated": return { text: `${actor} terminated the session.`, tone: "warn" };
    case "session.checkpointed": return { text: `${actor} took a session checkpoint${d.label ? ` “${d.label}”` : ""} (state ${short(d.stateHash)}).`, tone: "neutral" };
    case "proposal.created":
      return { text: `${actor} proposed ${d.compactId} version ${d.version}${d.expiresAt ? `, open until ${when(d.expiresAt)}` : ""}.`, tone: "neutral" };
    case "proposal.countered": return { text: `Proposal ${d.proposalId} was answered with a counter-proposal (${d.by}).`, tone: "neutral" };
    case "proposal.signed": return { text: `${actor} countersigned proposal ${d.proposalId}.`, tone: "good" };
    case "proposal.declined": return { text: `${actor} declined proposal ${d.proposalId}.`, tone: "warn" };
    case "proposal.expired": return { text: `Proposal ${d.proposalId} expired unanswered at ${when(d.dueAt)}.`, tone: "bad" };
    case "proposal.retired": return { text: `Proposal ${d.proposalId} was retired with its session.`, tone: "neutral" };
    case "proposal.withdrawal.initiated": return { text: `${actor} asked to withdraw proposal ${d.proposalId}; the other party must acknowledge.`, tone: "warn" };
    case "proposal.withdrawal.acknowledged": return { text: `${actor} acknowledged the withdrawal of proposal ${d.proposalId}.`, tone: "neutral" };
    case "proposal.withdrawal.escalated": return { text: `The withdrawal of proposal ${d.proposalId} was not acknowledged by ${when(d.dueAt)}.`, tone: "bad" };
    case "proposal.withdrawn": return { text: `Proposal ${d.proposalId} is withdrawn.`, tone: "neutral" };
    case "compact.in-force": return { text: `Compact ${d.compactId} version ${d.version} is in force.`, tone: "good" };
    case "compact.superseded": return { text: `Compact ${d.compactId} version ${d.version} was superseded by a newer version.`, tone: "neutral" };
    case "compact.revocation.initiated": {
      const asked = d.envelope?.payload ?? {};
      return { text: `${actor} started ${asked.emergency ? "an emergency revocation of" : "revoking"} ${d.compactId} version ${d.version}${asked.reason ? ` (“${asked.reason}”)` : ""}: it takes effect at ${when(d.effectiveAt)}, acknowledgment due by ${when(d.ackDeadline)}.`, tone: "warn" };
    }
    case "compact.revocation.acknowledged": return { text: `${actor} acknowledged revocation ${d.revocationId}.`, tone: "neutral" };
    case "compact.revocation.escalated": return { text: `Revocation ${d.revocationId} was not acknowledged by ${when(d.dueAt)}.`, tone: "bad" };
    case "compact.revocation.lapsed": return { text: `Revocation ${d.revocationId} lapsed (${d.reason}).`, tone: "neutral" };
    case "compact.revoked":
      return { text: `Compact ${d.compactId} version ${d.version} is revoked${d.cause === "upstream" ? " because a compact it depends on ended" : ""}.`, tone: "bad" };
    case "compact.upstream-triggered": return { text: `Compact ${d.compactId} is affected by ${d.upstream?.compactId} (${d.upstream?.event}).`, tone: "warn" };
    case "compact.expired": return { text: `Compact ${d.compactId} version ${d.version} reached the end of its effective period.`, tone: "neutral" };
    case "compact.marker": return { text: `${actor} recorded marker “${d.marker}” on ${d.compactId}; the other party must acknowledge.`, tone: "neutral" };
    case "compact.marker.acknowledged": return { text: `${actor} acknowledged marker ${d.markerId}.`, tone: "neutral" };
    case "compact.marker.effective": return { text: `Marker ${d.markerId} took effect.`, tone: "neutral" };
    case "failure": {
      const evidence = d.evidenceRefs ?? [];
      return { text: `Timeout (${d.code}): ${failureWhy[d.code] ?? "a deadline passed"}${d.agent ? `; counted against ${who(d.agent)}` : ""}${evidence.length ? `. Evidence: ${evidence.join(", ")}` : ""}.`, tone: "bad" };
    }
    default:
      return { text: `${e.type} by ${actor}.`, tone: "neutral" };
  }
}

function short(hash) { return hash ? hash.slice(0, 12) + "…" : "?"; }


function retainText(r) {
  if (!r) return "—";
  switch (r.mode) {
    case "period": return `for ${r.period} from ${r.anchor}`;
    case "effective": return "while the compact is effective";
    case "until-marker": return `until marker “${r.marker}”`;
    case "indefinite": return "indefinitely";
    default: return r.mode;
  }
}

function dispositionText(d) {
  if (!d) return "—";
  switch (d.action) {
    case "delete": return "delete";
    case "retain": return `keep for ${d.period}`;
    case "retain-indefinitely": return "keep indefinitely";
    case "transition": return `transition${d.period ? ` after ${d.period}` : ""}: derive ${list(d.derive)}; pass to ${edges(d.propagate)}`;
    default: return d.action;
  }
}

function list(items) { return items && items.length ? items.join(", ") : "nothing"; }
function edges(items) { return items && items.length ? items.map(p => `${p.to} (needs a ${p.requiresCompact?.minTier} compact)`).join(", ") : "no one"; }

/** The terms as a person reads them: the frame, then per party a row per category. */
export function termsView(terms) {
  const t = terms ?? {};
  const frame = el("dl", { class: "facts" },
    el("dt", {}, "Tier"), el("dd", {}, t.tier ?? "—"),
    el("dt", {}, "Interaction"), el("dd", {}, t.scope?.interaction ?? "—"),
    el("dt", {}, "Not covered"), el("dd", {}, t.scope?.outOfScope ?? "—"),
    el("dt", {}, "Effective"), el("dd", {}, `${when(t.scope?.effective?.from)} → ${when(t.scope?.effective?.until)}`),
    el("dt", {}, "Revocation"), el("dd", {}, t.revocation
      ? `${t.revocation.mode}; notice ${t.revocation.noticePeriod}; acknowledge within ${t.revocation.ackTimeout}${t.revocation.emergency ? "; emergency revocation allowed" : ""}`
      : "—"));
  const sections = ["a", "b"].map(role => {
    const party = t.parties?.[role];
    const rows = (t.retention?.[role] ?? []).map(entry => el("tr", {},
      el("th", { scope: "row" }, entry.category),
      el("td", {}, retainText(entry.retain)),
      el("td", {}, list(entry.derive)),
      el("td", {}, edges(entry.propagate)),
      el("td", {}, ["revocation", "expiration", "supersession", "upstream"]
        .filter(k => entry.disposition?.[k]).map(k => `on ${k}: ${dispositionText(entry.disposition[k])}`).join("; ") || "—")));
    return el("section", { class: "party" },
      el("h3", {}, `Party ${role.toUpperCase()}: ${party?.principal?.name ?? "?"} (${party?.principal?.kind ?? "?"}), agent ${who(party?.agent)}`),
      rows.length
        ? el("table", { class: "terms" },
            el("caption", {}, `What party ${role.toUpperCase()} may do with each category of material`),
            el("thead", {}, el("tr", {}, ...["Category", "Retain", "Derive", "Pass on to", "Afterwards"].map(h => el("th", { scope: "col" }, h)))),
            el("tbody", {}, rows))
        : el("p", {}, "Nothing: this party may keep no material."));
  });
  return el("div", { class: "terms-view" }, frame, ...sections);
}

/** The JSON pointers at which two term documents differ, with the value before and after (leaves, or whole arrays whose length changed). */
export function termsChanges(before, after, pointer = "") {
  const isObject = v => v !== null && typeof v === "object" && !Array.isArray(v);
  if (isObject(before) && isObject(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
    return keys.flatMap(k => termsChanges(before[k], after[k], `${pointer}/${k.replace(/~/g, "~0").replace(/\//g, "~1")}`));
  }
  if (Array.isArray(before) && Array.isArray(after) && before.length === after.length)
    return before.flatMap((v, i) => termsChanges(v, after[i], `${pointer}/${i}`));
  return JSON.stringify(before) === JSON.stringify(after) ? [] : [{ pointer, before, after }];
}

/** A counter-proposal's changes as a table: what the replaced terms said, struck through, and what the new ones say. */
export function changesView(changes) {
  const show = v => v === undefined ? "(absent)" : typeof v === "string" ? v : JSON.stringify(v);
  return el("table", { class: "changes" },
    el("caption", {}, `${changes.length} change${changes.length === 1 ? "" : "s"} to the terms`),
    el("thead", {}, el("tr", {}, ...["Where", "Before", "After"].map(h => el("th", { scope: "col" }, h)))),
    el("tbody", {}, ...changes.map(c => el("tr", {},
      el("th", { scope: "row", class: "mono" }, c.pointer),
      el("td", {}, el("del", {}, show(c.before))),
      el("td", {}, el("ins", {}, show(c.after)))))));
}
