// The console: sign-in, sessions (live), a session's timeline (SSE with resume), compacts, agents and their
// passports, policies, and the log, each checked in the page against the daemon's signed checkpoint. Routes live
// in the URL fragment (#/sessions, #/compacts/{id}, …); each view is a module under views/.

import * as api from "./api.js";
import { beginRoute, problemText, say } from "./page.js";
import { agentView } from "./views/agent.js";
import { compactView } from "./views/compact.js";
import { logView } from "./views/log.js";
import { policiesView, policyView } from "./views/policies.js";
import { sessionView } from "./views/session.js";
import { sessionsView } from "./views/sessions.js";
import { signIn } from "./views/sign-in.js";

async function route() {
  beginRoute();
  const signedIn = !!api.session.token;
  document.getElementById("signout").hidden = !signedIn;
  say("");
  const path = location.hash.replace(/^#/, "") || "/sessions";
  if (!signedIn) return signIn();
  const parts = path.split("/").filter(Boolean).map(decodeURIComponent);
  for (const a of document.querySelectorAll("nav a")) {
    if (path.startsWith(a.getAttribute("href").slice(1))) a.setAttribute("aria-current", "page"); else a.removeAttribute("aria-current");
  }
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
