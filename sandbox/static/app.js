// The sandbox page: choose who you are, read your channels and DMs, type slash commands, click, fill in
// modals, open the Home tab, and move the sandbox clock. It polls /sandbox/state about once a second.
"use strict";

(() => {
  const { el, mrkdwn, blocks, plainText, formValues } = BlockKit;
  const $ = (id) => document.getElementById(id);
  const POLL_MS = 1000;
  const page = { user: null, conversation: null, state: null, seen: {}, shown: {}, modalKey: null, busy: false };

  // ------------------------------------------------------------------ talking to the sandbox

  async function getState() {
    const query = new URLSearchParams({ user: page.user || "", conversation: page.conversation || "" });
    const response = await fetch(`/sandbox/state?${query}`, { cache: "no-store" });
    const body = await response.json();
    if (!response.ok) throw new Error(body.error || `HTTP ${response.status}`);
    return body;
  }

  async function post(what, body) {
    const response = await fetch(`/sandbox/${what}`, {
      method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ user: page.user, ...body }),
    });
    const answer = await response.json().catch(() => ({}));
    if (!response.ok) { toast(answer.error || `Something went wrong (HTTP ${response.status}).`); return null; }
    setTimeout(refresh, 150);
    setTimeout(refresh, 600);
    return answer;
  }

  async function refresh() {
    try {
      render(await getState());
    } catch (error) {
      if (page.conversation && page.conversation !== "home") { page.conversation = null; saveLocation(); }
      toast(`The sandbox did not answer: ${error.message}`);
    }
  }

  // ------------------------------------------------------------------ rendering

  function context(extra = {}) {
    const state = page.state;
    const people = Object.fromEntries(state.people.map((p) => [p.id, p.label]));
    people[state.bot.id] = state.bot.label;
    const channels = Object.fromEntries(state.conversations.filter((c) => c.kind === "channel").map((c) => [c.id, c.name]));
    return { people, peopleList: state.people, channels, openConversation: open, onAction: (a) => act(a, extra), ...extra };
  }

  function render(state) {
    page.state = state;
    if (!page.user || page.user !== state.user) { page.user = state.user; saveLocation(); }
    $("clock-time").textContent = state.time.clock;
    $("clock-date").textContent = state.time.date;
    const chooser = $("clock-to-input");
    if (page.clockShown !== state.time.local && document.activeElement !== chooser) {
      chooser.value = state.time.local;  // follows the sandbox time until someone edits it
      page.clockShown = state.time.local;
    }
    renderWho(state);
    renderSidebar(state);
    renderMain(state);
    renderModal(state.modal);
    renderNotes(state.notes);
  }

  function renderWho(state) {
    const select = $("who");
    const key = JSON.stringify(state.people);
    if (select.dataset.key !== key) {
      select.replaceChildren(...state.people.map((p) => el("option", { value: p.id, text: p.label })));
      select.dataset.key = key;
    }
    select.value = state.user;
  }

  function renderSidebar(state) {
    const seen = (page.seen[state.user] ||= {});
    const key = JSON.stringify([state.user, page.conversation, state.conversations, seen]);
    if (page.shown.sidebar === key) return;  // unchanged: keep the links people are about to click
    page.shown.sidebar = key;
    const item = (id, name, latest, title) => {
      const unread = latest && latest > (seen[id] || "") && id !== page.conversation;
      const link = el("a", { href: "#", class: `conversation${id === page.conversation ? " active" : ""}${unread ? " unread" : ""}`,
        text: name, title: title || name, "data-conversation": id });
      link.addEventListener("click", (event) => { event.preventDefault(); open(id); });
      return el("li", {}, link);
    };
    $("channels").replaceChildren(...state.conversations.filter((c) => c.kind === "channel").map((c) => item(c.id, c.name, c.latest_ts, c.topic)));
    const dm = state.conversations.find((c) => c.kind === "app");
    $("apps").replaceChildren(item("home", `${state.bot.label} — Home`, ""), item(dm.id, `${state.bot.label} — Messages`, dm.latest_ts));
  }

  function renderMain(state) {
    const home = page.conversation === "home";
    $("home").hidden = !home;
    $("messages").hidden = home;
    $("composer").hidden = !page.conversation || home;
    if (home) {
      $("conv-title").textContent = `${state.bot.label} — Home`;
      $("conv-topic").textContent = "Your Home tab: what the app shows only you.";
      const key = JSON.stringify(state.home);
      if (page.shown.home !== key) {
        page.shown.home = key;
        $("home").replaceChildren(state.home ? blocks(state.home.blocks, context({ view_id: state.home.id }))
          : el("p", { class: "empty", text: `${state.bot.label} has not published a Home tab for you yet.` }));
      }
      return;
    }
    const conversation = state.conversation;
    if (!conversation) {
      $("conv-title").textContent = "Choose a conversation";
      $("conv-topic").textContent = "Pick a case channel or the app's messages on the left.";
      $("messages").replaceChildren();
      page.shown.messages = null;
      return;
    }
    const meta = state.conversations.find((c) => c.id === conversation.id) || {};
    $("conv-title").textContent = conversation.kind === "app" ? `${conversation.name} — Messages` : conversation.name;
    $("conv-topic").textContent = meta.topic || (conversation.kind === "app" ? "Messages from the app to you only." : "");
    (page.seen[state.user] ||= {})[conversation.id] = meta.latest_ts || "";
    const key = state.user + JSON.stringify(conversation.messages);
    if (page.shown.messages === key) return;
    const box = $("messages");
    const atBottom = box.scrollHeight - box.scrollTop - box.clientHeight < 80 || page.shown.conversation !== conversation.id;
    page.shown.messages = key;
    page.shown.conversation = conversation.id;
    box.replaceChildren(...messageNodes(conversation));
    if (!conversation.messages.length) box.append(el("p", { class: "empty", text: "No messages here yet." }));
    if (atBottom) box.scrollTop = box.scrollHeight;
  }

  function messageNodes(conversation) {
    const nodes = [];
    let day = null;
    for (const message of conversation.messages) {
      if (message.day !== day) { day = message.day; nodes.push(el("div", { class: "day", text: day })); }
      const where = { channel: conversation.id, message_ts: message.ts, ephemeral: message.ephemeral };
      const head = el("div", { class: "message-head" }, el("strong", { class: "author", text: message.author }),
        el("span", { class: "app-tag", text: message.author === "Slackbot" ? "" : "APP" }),
        el("time", { text: message.time }));
      if (message.ephemeral) head.append(el("span", { class: "only-you", text: "Only visible to you" }));
      const body = message.blocks.length ? blocks(message.blocks, context(where)) : el("div", {}, mrkdwn(message.text, context(where)));
      if (message.edited) body.append(el("span", { class: "edited", text: "(edited)" }));
      nodes.push(el("article", { class: `message${message.ephemeral ? " ephemeral" : ""}`, "data-ts": message.ts }, head, body));
    }
    return nodes;
  }

  function renderModal(view) {
    const backdrop = $("modal-backdrop");
    if (!view) { backdrop.hidden = true; page.modalKey = null; $("modal").replaceChildren(); return; }
    const key = `${view.id}:${view.hash}`;
    if (page.modalKey !== key) {
      const kept = page.modalKey && page.modalKey.startsWith(`${view.id}:`) ? formValues($("modal")) : null;
      page.modalKey = key;
      const form = el("form", { class: "modal-form", noValidate: true });
      const closeText = plainText(view.close) || "Cancel";
      const header = el("div", { class: "modal-header" }, el("h2", { id: "modal-title", text: plainText(view.title) }),
        el("button", { type: "button", class: "modal-x", text: "×", title: closeText, "aria-label": closeText }));
      const body = el("div", { class: "modal-body" }, blocks(view.blocks, context({ view_id: view.id })));
      body.prepend(el("div", { class: "field-error", "data-error-for": "", role: "alert" }));
      const footer = el("div", { class: "modal-footer" }, el("button", { type: "button", class: "btn cancel", text: closeText }));
      if (view.submit) footer.append(el("button", { type: "submit", class: "btn primary", text: plainText(view.submit) }));
      form.append(header, body, footer);
      form.addEventListener("submit", async (event) => {
        event.preventDefault();
        const answer = await post("submit", { view_id: view.id, form: formValues(form) });
        if (answer) showErrors(answer.errors || {});
      });
      for (const button of form.querySelectorAll(".modal-x, .cancel")) button.addEventListener("click", () => post("close", { view_id: view.id }));
      $("modal").replaceChildren(form);
      if (kept) restore(form, kept);
      backdrop.hidden = false;
      form.querySelector("input, textarea, select")?.focus();
    }
    showErrors(view.errors || {});
  }

  function showErrors(errors) {
    for (const node of $("modal").querySelectorAll(".field-error")) {
      const message = errors[node.dataset.errorFor] || "";
      node.textContent = message;
      node.closest(".block.input")?.classList.toggle("has-error", Boolean(message));
    }
  }

  function restore(form, values) {
    for (const node of form.querySelectorAll("[data-action-id][data-type]")) {
      const value = values[node.dataset.blockId]?.[node.dataset.actionId];
      if (value === undefined || value === null) continue;
      if (node.classList.contains("choices")) {
        const wanted = new Set([value].flat());
        for (const input of node.querySelectorAll("input")) input.checked = wanted.has(input.value);
      } else node.value = value;
    }
  }

  function renderNotes(notes) {
    const key = JSON.stringify(notes);
    if ($("notes-list").dataset.key === key) return;
    $("notes-list").dataset.key = key;
    $("notes-list").replaceChildren(...notes.map((n) => el("li", { text: n })));
  }

  // ------------------------------------------------------------------ acting

  function act(action, where) {
    const body = { ...action, ...where };
    if (where.view_id && page.state.modal && where.view_id === page.state.modal.id) body.form = formValues($("modal"));
    return post("action", body);
  }

  function open(conversation) {
    page.conversation = conversation;
    page.shown = {};
    saveLocation();
    if (conversation === "home") post("home", {});
    refresh();
  }

  function toast(text) {
    const node = $("toast");
    node.textContent = text;
    node.hidden = false;
    clearTimeout(toast.timer);
    toast.timer = setTimeout(() => { node.hidden = true; }, 6000);
  }

  function saveLocation() {
    history.replaceState(null, "", `#${page.user || ""}/${page.conversation || ""}`);
  }

  $("who").addEventListener("change", (event) => {
    page.user = event.target.value;
    page.conversation = null;
    page.shown = {};
    saveLocation();
    refresh();
  });

  function moved(answer) {
    if (!answer) return;
    $("clock-time").textContent = answer.time.clock;  // at once: a poll during the jump showed a time on the way
    $("clock-date").textContent = answer.time.date;
    toast(`Sandbox time is now ${answer.time.date}, ${answer.time.clock}: ${answer.sent} message(s) sent.`);
  }
  for (const button of document.querySelectorAll("[data-step]")) {
    button.addEventListener("click", async () => moved(await post("clock", { step: button.dataset.step })));
  }
  $("clock-to").addEventListener("submit", async (event) => {
    event.preventDefault();
    moved(await post("clock", { step: "to", to: $("clock-to-input").value }));
  });

  const input = $("composer-input");
  $("composer").addEventListener("submit", async (event) => {
    event.preventDefault();
    const text = input.value.trim();
    if (!text) return;
    if (!text.startsWith("/")) { toast("The bot does not read messages: type a slash command, e.g. /core-group help."); return; }
    input.value = "";
    $("command-hints").hidden = true;
    await post("command", { channel: page.conversation, text });
  });
  input.addEventListener("input", () => {
    const typed = input.value;
    const hints = $("command-hints");
    const matches = typed.startsWith("/") && !typed.includes(" ")
      ? (page.state?.commands || []).filter((c) => c.command.startsWith(typed)) : [];
    hints.hidden = !matches.length;
    hints.replaceChildren(...matches.map((c) => {
      const li = el("li", {}, el("strong", { text: c.command }), el("span", { text: ` ${c.usage_hint}` }), el("small", { text: c.description }));
      li.addEventListener("mousedown", (event) => { event.preventDefault(); input.value = `${c.command} `; hints.hidden = true; input.focus(); });
      return li;
    }));
  });

  const [user, conversation] = decodeURIComponent(location.hash.slice(1)).split("/");
  page.user = user || null;
  page.conversation = conversation || null;
  if (page.conversation === "home") post("home", {});
  refresh();
  setInterval(refresh, POLL_MS);
})();
