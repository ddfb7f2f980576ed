// Verification in the browser, trusting nothing but the daemon's public key, signatures and hashes:
// event hashes and stream chains (§8.1), Merkle leaves and inclusion proofs (§9, RFC 9162 §2.1.3),
// and the signed log checkpoint (C2SP tlog-checkpoint with an Ed25519 key).

const utf8 = new TextEncoder();

/** RFC 8785 canonical JSON. Keys sort by UTF-16 code units; strings and numbers print as ECMAScript does. */
export function jcs(value) {
  if (value === null || typeof value !== "object") {
    if (typeof value === "number" && !Number.isFinite(value)) throw new Error("JCS has no form for " + value);
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return "[" + value.map(jcs).join(",") + "]";
  const keys = Object.keys(value).sort();
  return "{" + keys.map(k => JSON.stringify(k) + ":" + jcs(value[k])).join(",") + "}";
}

export async function sha256(bytes) {
  return new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
}

export function hex(bytes) {
  return Array.from(bytes, b => b.toString(16).padStart(2, "0")).join("");
}

export function fromHex(text) {
  if (!/^([0-9a-f]{2})*$/.test(text)) throw new Error("not lowercase hex: " + text);
  const out = new Uint8Array(text.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(text.substr(i * 2, 2), 16);
  return out;
}

export function fromBase64(text) {
  const standard = text.replace(/-/g, "+").replace(/_/g, "/");
  const padded = standard + "=".repeat((4 - standard.length % 4) % 4);
  return Uint8Array.from(atob(padded), c => c.charCodeAt(0));
}

function concat(...parts) {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
}

/** hash = hex SHA-256("pact-event-v1\n" ‖ JCS({ stream, streamSeq, type, time, actor, data, prevHash })). */
export async function eventHash(e) {
  const body = { stream: e.stream, streamSeq: e.streamSeq, type: e.type, time: e.time, actor: e.actor, data: e.data, prevHash: e.prevHash };
  return hex(await sha256(utf8.encode("pact-event-v1\n" + jcs(body))));
}

export const genesisHash = "0".repeat(64);

/**
 * Checks a stream's events in order: each hash recomputed, each prevHash the previous event's hash, streamSeq
 * counting from the first one given. Returns { ok, checked, failure? } naming the first event that does not hold.
 */
export async function checkChain(events, previousHash = genesisHash) {
  let prev = previousHash;
  for (let i = 0; i < events.length; i++) {
    const e = events[i];
    if (e.prevHash !== prev) return { ok: false, checked: i, failure: `event ${e.streamSeq}: prevHash does not link to the event before it` };
    if (await eventHash(e) !== e.hash) return { ok: false, checked: i, failure: `event ${e.streamSeq}: its hash does not match its content` };
    if (i > 0 && e.streamSeq !== events[i - 1].streamSeq + 1) return { ok: false, checked: i, failure: `event ${e.streamSeq}: streamSeq is not consecutive` };
    prev = e.hash;
  }
  return { ok: true, checked: events.length };
}

/** Leaf hash of an event (§9): SHA-256(0x00 ‖ the 32 bytes of its hash). */
export async function leafHash(eventHashHex) {
  return sha256(concat(new Uint8Array([0]), fromHex(eventHashHex)));
}

async function nodeHash(left, right) {
  return sha256(concat(new Uint8Array([1]), left, right));
}

/** The root an RFC 9162 §2.1.3.2 inclusion proof leads to, or null when the proof's shape is wrong. */
export async function rootFromInclusionProof(leafIndex, treeSize, leaf, proofHex) {
  if (!(leafIndex >= 0 && leafIndex < treeSize)) return null;
  let fn = leafIndex, sn = treeSize - 1, r = leaf;
  for (const p of proofHex.map(fromHex)) {
    if (sn === 0) return null;
    if (fn % 2 === 1 || fn === sn) {
      r = await nodeHash(p, r);
      while (fn % 2 === 0 && fn !== 0) { fn = Math.floor(fn / 2); sn = Math.floor(sn / 2); }
    } else {
      r = await nodeHash(r, p);
    }
    fn = Math.floor(fn / 2); sn = Math.floor(sn / 2);
  }
  return sn === 0 ? r : null;
}

/** Whether the event with this seq and hash is in the tree whose root the checkpoint signed. */
export async function verifyInclusion(event, proof, checkpoint) {
  if (proof.treeSize !== checkpoint.treeSize || proof.leafIndex !== event.seq - 1) return false;
  const root = await rootFromInclusionProof(proof.leafIndex, proof.treeSize, await leafHash(event.hash), proof.hashes);
  return root !== null && hex(root) === hex(checkpoint.rootBytes);
}

/**
 * Parses and verifies a signed note (C2SP tlog-checkpoint) against the daemon's Ed25519 public key: the origin as
 * key name, key id = SHA-256(name ‖ 0x0A ‖ 0x01 ‖ key)[0..4], the signature over the three body lines.
 * Returns { origin, treeSize, rootBytes, rootHex } or throws saying what does not hold.
 */
export async function verifyCheckpointNote(note, publicKeyBytes, expectedOrigin) {
  const split = note.indexOf("\n\n");
  if (split < 0) throw new Error("the note has no signature block");
  const body = note.slice(0, split + 1);
  const lines = body.split("\n");
  if (lines.length !== 4 || lines[3] !== "") throw new Error("a checkpoint body has three lines");
  const [origin, sizeText, rootText] = lines;
  if (expectedOrigin && origin !== expectedOrigin) throw new Error(`the note is for ${origin}, not ${expectedOrigin}`);
  if (!/^(0|[1-9][0-9]*)$/.test(sizeText)) throw new Error("the tree size is not a number");
  const rootBytes = fromBase64(rootText);
  if (rootBytes.length !== 32) throw new Error("the root hash is not 32 bytes");

  const keyId = (await sha256(concat(utf8.encode(origin), new Uint8Array([0x0a, 0x01]), publicKeyBytes))).slice(0, 4);
  const key = await crypto.subtle.importKey("raw", publicKeyBytes, { name: "Ed25519" }, false, ["verify"]);
  for (const line of note.slice(split + 2).split("\n")) {
    const m = /^\u2014 (\S+) (\S+)$/.exec(line);
    if (!m || m[1] !== origin) continue;
    const blob = fromBase64(m[2]);
    if (blob.length !== 68 || hex(blob.slice(0, 4)) !== hex(keyId)) continue;
    if (await crypto.subtle.verify({ name: "Ed25519" }, key, blob.slice(4), utf8.encode(body)))
      return { origin, treeSize: Number(sizeText), rootBytes, rootHex: hex(rootBytes) };
    throw new Error("the signature does not verify with the daemon's key");
  }
  throw new Error("no signature by the daemon's key on the note");
}
