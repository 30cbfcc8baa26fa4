"use strict";
// Minimal web chat for the Telegram emulator. Uses only the /_emulator/ control API.
// Bot text is rendered with DOM nodes + textContent only (never innerHTML).
const api = (path, opts = {}) =>
  fetch("/_emulator" + path, {
    headers: { "Content-Type": "application/json" },
    ...opts,
    body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
  }).then(async (r) => {
    const data = await r.json();
    if (!r.ok) throw new Error(data.error || r.statusText);
    return data;
  });

const $ = (id) => document.getElementById(id);
const state = { userId: null, lastSeq: 0, poll: 0, blocked: false };

function status(text) { $("status").textContent = text; }

const TAGS = { bold: "b", italic: "i", underline: "u", strikethrough: "s", code: "code",
  pre: "pre", spoiler: "span", blockquote: "blockquote", expandable_blockquote: "blockquote",
  text_link: "a" };

function renderText(text, entities) {
  const frag = document.createDocumentFragment();
  if (!text) return frag;
  const cuts = new Set([0, text.length]);
  for (const e of entities || []) { cuts.add(e.offset); cuts.add(e.offset + e.length); }
  const points = [...cuts].filter((p) => p <= text.length).sort((a, b) => a - b);
  for (let k = 0; k < points.length - 1; k++) {
    const [from, to] = [points[k], points[k + 1]];
    let node = document.createTextNode(text.slice(from, to));
    for (const e of entities || []) {
      if (e.offset > from || e.offset + e.length < to || !TAGS[e.type]) continue;
      const el = document.createElement(TAGS[e.type]);
      if (e.type === "spoiler") { el.className = "spoiler"; el.tabIndex = 0; }
      if (e.type === "text_link") {
        if (/^(https?:|tg:|mailto:)/i.test(e.url || "")) el.href = e.url;
        el.rel = "noopener noreferrer"; el.target = "_blank";
      }
      el.appendChild(node);
      node = el;
    }
    frag.appendChild(node);
  }
  return frag;
}

function inlineKeyboard(msg) {
  const rows = (msg.reply_markup && msg.reply_markup.inline_keyboard) || [];
  const box = document.createElement("div");
  box.className = "inline-keyboard";
  for (const row of rows) {
    const line = document.createElement("div");
    for (const b of row) {
      if (b.url) {
        const a = document.createElement("a");
        a.textContent = b.text; a.target = "_blank"; a.rel = "noopener noreferrer";
        if (/^https?:/i.test(b.url)) a.href = b.url;
        line.appendChild(a);
        continue;
      }
      const btn = document.createElement("button");
      btn.type = "button"; btn.textContent = b.text;
      btn.addEventListener("click", () => act("tap", { message_id: msg.message_id,
        callback_data: b.callback_data }));
      line.appendChild(btn);
    }
    box.appendChild(line);
  }
  return box;
}

function renderMessage(msg) {
  const li = document.createElement("li");
  li.className = msg.sender + (msg.deleted ? " deleted" : "");
  if (msg.kind !== "text") {
    const note = document.createElement("span");
    note.className = "note"; note.textContent = "[" + msg.kind + "]";
    li.appendChild(note);
  }
  const body = document.createElement("span");
  body.className = "body";
  body.appendChild(renderText(msg.text, msg.entities));
  li.appendChild(body);
  if (msg.file) {
    const a = document.createElement("a");
    a.href = msg.file.download_url;
    a.textContent = `⬇ ${msg.file.file_name || msg.kind} (${msg.file.file_size || 0} bytes)`;
    a.className = "note";
    li.appendChild(a);
  }
  if (!msg.deleted) li.appendChild(inlineKeyboard(msg));
  const notes = [];
  if (msg.edits && msg.edits.length) notes.push(`bewerkt (${msg.edits.length}×)`);
  if (msg.deleted) notes.push("verwijderd");
  if (notes.length) {
    const n = document.createElement("span");
    n.className = "note"; n.textContent = notes.join(", ");
    li.appendChild(n);
  }
  return li;
}

function meta(text) {
  const li = document.createElement("li");
  li.className = "meta"; li.textContent = text;
  return li;
}

function renderReplyKeyboard(kb) {
  const box = $("reply-keyboard");
  box.replaceChildren();
  for (const row of (kb && kb.keyboard) || []) {
    const line = document.createElement("div");
    for (const b of row) {
      const label = typeof b === "string" ? b : b.text;
      const btn = document.createElement("button");
      btn.type = "button"; btn.textContent = label;
      btn.addEventListener("click", () => act("press", { text: label }));
      line.appendChild(btn);
    }
    box.appendChild(line);
  }
}

async function refresh() {
  if (!state.userId) return;
  const t = await api(`/chats/${state.userId}/transcript`);
  state.lastSeq = t.last_seq;
  state.blocked = t.blocked;
  $("block-toggle").textContent = t.blocked ? "Deblokkeer bot" : "Blokkeer bot";
  const list = $("chat");
  list.replaceChildren();
  for (const e of t.events) {
    if (e.type === "message") list.appendChild(renderMessage(e.message));
    else if (e.type === "callback_answer" && e.text) list.appendChild(meta("🔔 " + e.text));
    else if (e.type === "chat_action") continue;
    else if (e.type === "blocked") list.appendChild(meta("Bot geblokkeerd"));
    else if (e.type === "unblocked") list.appendChild(meta("Bot gedeblokkeerd"));
  }
  renderReplyKeyboard(t.reply_keyboard);
  list.lastElementChild && list.lastElementChild.scrollIntoView({ block: "end" });
}

async function pollLoop(generation) {
  while (generation === state.poll) {
    try {
      const r = await api(`/chats/${state.userId}/events?after=${state.lastSeq}&timeout=25`);
      if (generation !== state.poll) return;
      if (r.events.length) await refresh();
    } catch (err) {
      status("Verbinding verbroken: " + err.message);
      await new Promise((res) => setTimeout(res, 2000));
    }
  }
}

async function act(action, body) {
  try {
    await api(`/users/${state.userId}/${action}`, { method: "POST", body });
    status("");
    await refresh();
  } catch (err) { status("Fout: " + err.message); }
}

async function loadUsers(selectId) {
  const users = await api("/users");
  const sel = $("user-select");
  sel.replaceChildren();
  for (const u of users) {
    const opt = document.createElement("option");
    opt.value = u.id; opt.textContent = `${u.first_name} ${u.last_name || ""} (${u.id})`;
    sel.appendChild(opt);
  }
  if (selectId) sel.value = String(selectId);
  selectUser(sel.value ? Number(sel.value) : null);
}

function selectUser(id) {
  state.userId = id;
  state.poll += 1;
  $("chat").replaceChildren();
  if (!id) { status("Maak eerst een gebruiker aan."); return; }
  refresh().then(() => pollLoop(state.poll));
}

$("user-select").addEventListener("change", (e) => selectUser(Number(e.target.value)));
$("user-form").addEventListener("submit", async (e) => {
  e.preventDefault();
  const name = $("new-name").value.trim();
  if (!name) return;
  const u = await api("/users", { method: "POST", body: { first_name: name } });
  $("new-name").value = "";
  await loadUsers(u.id);
});
$("send-form").addEventListener("submit", (e) => {
  e.preventDefault();
  const text = $("text").value;
  if (!text || !state.userId) return;
  $("text").value = "";
  act("messages", { text });
});
$("send-sticker").addEventListener("click", () => act("media", { kind: "sticker" }));
$("send-photo").addEventListener("click", () => act("media", { kind: "photo" }));
$("block-toggle").addEventListener("click", () => act(state.blocked ? "unblock" : "block", {}));
loadUsers();
