// Sign-in: a token kept in this tab's session storage, checked against the daemon before it is kept.

import * as api from "../api.js";
import { el } from "../dom.js";
import { heading, problemText, say, show } from "../page.js";

export function signIn() {
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
