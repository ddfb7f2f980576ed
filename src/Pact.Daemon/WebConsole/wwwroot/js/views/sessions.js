// The sessions the token may read, live from /v1/events/stream.

import * as api from "../api.js";
import { el } from "../dom.js";
import { when, who } from "../describe.js";
import { currentRoute, heading, link, nameAgents, onLeave, problemText, say, show, stillShowing } from "../page.js";

export async function sessionsView() {
  const shown = currentRoute();
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
  onLeave(() => stream.stop());
}
