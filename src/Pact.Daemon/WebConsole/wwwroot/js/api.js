// The daemon's REST API and SSE streams, with the token kept in session storage (never in a URL).

const tokenKey = "pact.console.token";

export const session = {
  get token() { return sessionStorage.getItem(tokenKey); },
  set token(value) { value ? sessionStorage.setItem(tokenKey, value) : sessionStorage.removeItem(tokenKey); },
};

/** A refusal from the daemon: its ProblemDetails (code, title, detail) kept for the page to show. */
export class ApiError extends Error {
  constructor(status, problem) {
    super(problem?.detail || problem?.title || `HTTP ${status}`);
    this.status = status;
    this.code = problem?.code ?? null;
    this.problem = problem;
  }
}

function headers(extra = {}) {
  const h = { Accept: "application/json", ...extra };
  if (session.token) h.Authorization = "Bearer " + session.token;
  return h;
}

export async function get(path, accept) {
  const response = await fetch(path, { headers: headers(accept ? { Accept: accept } : {}), cache: "no-store" });
  if (!response.ok) {
    let problem = null;
    try { problem = await response.json(); } catch { /* not a problem document */ }
    throw new ApiError(response.status, problem);
  }
  return accept && !accept.includes("json") ? response.text() : response.json();
}

export async function post(path, body) {
  const response = await fetch(path, { method: "POST", headers: headers({ "Content-Type": "application/json" }), body: JSON.stringify(body) });
  const json = await response.json().catch(() => null);
  if (!response.ok) throw new ApiError(response.status, json);
  return json;
}

/**
 * Tails an SSE endpoint (§8.3) with fetch, so the bearer token travels in a header. After a dropped connection it
 * reconnects once the daemon's `retry` has passed, sending Last-Event-ID, so nothing is missed or repeated.
 * Returns { stop(), drop() }: drop() cuts the current connection as a network failure would (used by the tests).
 */
export function tail(path, { onEvent, onState, after = null }) {
  let lastId = after;
  let retryMs = 2000;
  let stopped = false;
  let current = null;

  async function connect() {
    while (!stopped) {
      current = new AbortController();
      try {
        const h = headers({ Accept: "text/event-stream" });
        if (lastId !== null) h["Last-Event-ID"] = String(lastId);
        const response = await fetch(path, { headers: h, signal: current.signal, cache: "no-store" });
        if (!response.ok) {
          const problem = await response.json().catch(() => null);
          onState?.("refused", new ApiError(response.status, problem));
          if (response.status === 401 || response.status === 403 || response.status === 404) return;
        } else {
          onState?.("live");
          await read(response.body.getReader());
        }
      } catch (e) {
        if (stopped) return;
      }
      if (stopped) return;
      onState?.("reconnecting");
      await new Promise(resolve => setTimeout(resolve, retryMs));
    }
  }

  async function read(reader) {
    const decoder = new TextDecoder();
    let buffer = "";
    let id = null, event = null, data = [];
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += decoder.decode(value, { stream: true });
      let newline;
      while ((newline = buffer.indexOf("\n")) >= 0) {
        const line = buffer.slice(0, newline).replace(/\r$/, "");
        buffer = buffer.slice(newline + 1);
        if (line === "") {
          if (data.length > 0) {
            const parsed = JSON.parse(data.join("\n"));
            if (id !== null) lastId = Number(id);
            onEvent(parsed, event);
          }
          id = null; event = null; data = [];
        } else if (line.startsWith(":")) {
          // a heartbeat comment
        } else {
          const colon = line.indexOf(":");
          const field = colon < 0 ? line : line.slice(0, colon);
          const text = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
          if (field === "id") id = text;
          else if (field === "event") event = text;
          else if (field === "data") data.push(text);
          else if (field === "retry" && /^\d+$/.test(text)) retryMs = Number(text);
        }
      }
    }
  }

  connect();
  return {
    stop() { stopped = true; current?.abort(); },
    drop() { current?.abort(); },
    get lastId() { return lastId; },
  };
}
