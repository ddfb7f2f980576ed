// The log: the signed checkpoint verified with the daemon's key, and inclusion proofs checked against it.

import * as api from "../api.js";
import { el } from "../dom.js";
import { daemon, heading, problemText, show } from "../page.js";
import * as verify from "../verify.js";

async function latestCheckpoint() {
  const info = await daemon();
  const note = await api.get("/v1/log/checkpoint", "text/plain");
  return verify.verifyCheckpointNote(note, verify.fromBase64(info.publicKey), info.origin);
}

/** Whether the event, as served, is in the signed log: its hash recomputed from its content, then its proof walked to the signed root. */
export async function checkInclusion(e) {
  if (await verify.eventHash(e) !== e.hash) {
    window.pactConsole.verified[e.seq] = false;
    return false;
  }
  const checkpoint = await latestCheckpoint();
  if (checkpoint.treeSize < e.seq) throw new Error("not yet covered by a signed checkpoint; try again in a second");
  const proof = await api.get(`/v1/log/proof/inclusion?seq=${e.seq}&treeSize=${checkpoint.treeSize}`);
  const ok = await verify.verifyInclusion(e, proof, checkpoint);
  window.pactConsole.verified[e.seq] = ok;
  return ok;
}

export async function logView() {
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
      proofResult.textContent = ok ? `✓ Event ${seq} (${page.type}) is in the signed log.` : `✗ Event ${seq} as served is not in the signed log: its content, its hash or its proof does not verify.`;
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
