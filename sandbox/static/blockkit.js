// Block Kit and mrkdwn, rendered as DOM nodes. Text only ever reaches the page through textContent or
// text nodes, never innerHTML, so nothing a person typed can become markup.
"use strict";

const BlockKit = (() => {
  const el = (tag, attrs = {}, ...children) => {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs)) {
      if (value === undefined || value === null || value === false) continue;
      if (key === "class") node.className = value;
      else if (key === "text") node.textContent = value;
      else if (key.startsWith("data-")) node.setAttribute(key, value);
      else node[key] = value;
    }
    for (const child of children) if (child) node.append(child);
    return node;
  };

  // ------------------------------------------------------------------ mrkdwn

  // A few of Slack's emoji shortcodes, as symbols every system font has; any other :name: stays as typed.
  const EMOJI = {
    warning: "⚠", white_check_mark: "✔", heavy_check_mark: "✔", x: "✖", bell: "🔔", calendar: "📅",
    date: "📅", spiral_calendar_pad: "🗓️", hourglass: "⌛", hourglass_flowing_sand: "⏳", memo: "📝",
    information_source: "ℹ️", rotating_light: "🚨", clipboard: "📋", email: "📧", envelope: "✉️",
    house: "🏠", wave: "👋", tada: "🎉", eyes: "👀", exclamation: "❗", question: "❓", lock: "🔒",
    page_facing_up: "📄", inbox_tray: "📥", outbox_tray: "📤", alarm_clock: "⏰", raising_hand: "🙋",
  };
  const emoji = (s) => s.replace(/:([a-z0-9_+-]+):/g, (whole, name) => EMOJI[name] || whole);
  const unescapeRaw = (s) => s.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");
  const unescape = (s) => emoji(unescapeRaw(s));
  const SAFE_LINK = /^(https?:|mailto:)/i;
  const PLACEHOLDER = /\uE000(\d+)\uE001/g;

  // Slack's formatting marks only count at word edges: "*bold*" but not "2*3*4".
  const FORMATS = [
    { re: /(?<![\w*])\*(?!\s)([^*\n]+?)(?<!\s)\*(?![\w*])/, tag: "strong" },
    { re: /(?<![\w_])_(?!\s)([^_\n]+?)(?<!\s)_(?![\w_])/, tag: "em" },
    { re: /(?<![\w~])~(?!\s)([^~\n]+?)(?<!\s)~(?![\w~])/, tag: "s" },
  ];

  function mrkdwn(text, ctx) {
    const tokens = [];
    const keep = (node) => `\uE000${tokens.push(node) - 1}\uE001`;
    let source = String(text ?? "");
    source = source.replace(/```([\s\S]*?)```/g, (_, code) => keep(el("pre", { class: "code-block", text: unescapeRaw(code) })));
    source = source.replace(/`([^`\n]+)`/g, (_, code) => keep(el("code", { text: unescapeRaw(code) })));
    source = source.replace(/<([^<>\n]+)>/g, (_, inner) => keep(angle(inner, ctx)));
    const out = document.createDocumentFragment();
    const lines = source.split("\n");
    lines.forEach((line, i) => {
      const quote = /^(&gt;|>)\s?/.exec(line);
      const target = quote ? el("blockquote") : out;
      inline(quote ? line.slice(quote[0].length) : line, tokens, target);
      if (quote) out.append(target);
      else if (i < lines.length - 1) out.append(el("br"));
    });
    return out;
  }

  function inline(text, tokens, into) {
    let best = null;
    for (const format of FORMATS) {
      const match = format.re.exec(text);
      if (match && (!best || match.index < best.match.index)) best = { match, tag: format.tag };
    }
    if (!best) return plain(text, tokens, into);
    plain(text.slice(0, best.match.index), tokens, into);
    const wrapper = el(best.tag);
    inline(best.match[1], tokens, wrapper);
    into.append(wrapper);
    inline(text.slice(best.match.index + best.match[0].length), tokens, into);
  }

  function plain(text, tokens, into) {
    let last = 0;
    for (const match of text.matchAll(PLACEHOLDER)) {
      if (match.index > last) into.append(document.createTextNode(unescape(text.slice(last, match.index))));
      into.append(tokens[Number(match[1])]);
      last = match.index + match[0].length;
    }
    if (last < text.length) into.append(document.createTextNode(unescape(text.slice(last))));
  }

  function angle(inner, ctx) {
    const [target, label] = inner.split("|", 2);
    if (target.startsWith("@")) {
      const id = target.slice(1);
      return el("span", { class: "mention", "data-user": id, text: "@" + (ctx.people[id] || label || id) });
    }
    if (target.startsWith("#")) {
      const id = target.slice(1);
      const name = ctx.channels[id] || (label ? "#" + label : "#" + id);
      const link = el("a", { class: "channel-link", href: "#", text: name });
      link.addEventListener("click", (event) => { event.preventDefault(); ctx.openConversation?.(id); });
      return link;
    }
    if (target.startsWith("!")) {
      if (target.startsWith("!date")) return document.createTextNode(unescape(label || ""));
      const word = target.slice(1).split("^")[0];
      return el("span", { class: "mention", text: "@" + (label || word) });
    }
    const url = unescapeRaw(target);
    if (!SAFE_LINK.test(url)) return document.createTextNode(unescape(label || target));
    return el("a", { href: url, target: "_blank", rel: "noopener noreferrer", text: unescape(label || target) });
  }

  const textOf = (obj, ctx) => {
    if (!obj) return document.createTextNode("");
    if (typeof obj === "string") return mrkdwn(obj, ctx);
    if (obj.type === "mrkdwn") return mrkdwn(obj.text, ctx);
    return document.createTextNode(obj.emoji === false ? obj.text ?? "" : emoji(obj.text ?? ""));
  };
  const plainText = (obj) => (obj && typeof obj === "object" ? obj.text ?? "" : obj ?? "");

  // ------------------------------------------------------------------ blocks

  function blocks(list, ctx) {
    const out = el("div", { class: "blocks" });
    for (const block of list || []) out.append(renderBlock(block, ctx));
    return out;
  }

  function renderBlock(block, ctx) {
    const blockId = block.block_id || "";
    switch (block.type) {
      case "section": {
        const node = el("div", { class: "block section" });
        const body = el("div", { class: "section-body" });
        if (block.text) body.append(el("div", { class: "section-text" }, textOf(block.text, ctx)));
        if (block.fields) {
          const fields = el("div", { class: "section-fields" });
          for (const field of block.fields) fields.append(el("div", { class: "field" }, textOf(field, ctx)));
          body.append(fields);
        }
        node.append(body);
        if (block.accessory) node.append(el("div", { class: "accessory" }, element(block.accessory, blockId, ctx, true)));
        return node;
      }
      case "header":
        return el("h3", { class: "block header", text: plainText(block.text) });
      case "divider":
        return el("hr", { class: "block divider" });
      case "context": {
        const node = el("div", { class: "block context" });
        for (const item of block.elements || []) {
          node.append(item.type === "image" ? el("span", { class: "image-alt", text: `[${item.alt_text || "image"}]` })
            : el("span", {}, textOf(item, ctx)));
        }
        return node;
      }
      case "actions": {
        const node = el("div", { class: "block actions" });
        for (const item of block.elements || []) node.append(element(item, blockId, ctx, true));
        return node;
      }
      case "input": {
        const node = el("div", { class: "block input", "data-block-id": blockId });
        const label = el("label", { class: "input-label", text: plainText(block.label) });
        if (block.optional) label.append(el("span", { class: "optional", text: " (optional)" }));
        const control = element(block.element || {}, blockId, ctx, Boolean(block.dispatch_action));
        const field = control.querySelector?.("input, textarea, select") || control;
        if (field.id === "") field.id = `f-${blockId}-${block.element?.action_id || ""}`;
        label.htmlFor = field.id;
        node.append(label, control);
        if (block.hint) node.append(el("div", { class: "hint", text: plainText(block.hint) }));
        node.append(el("div", { class: "field-error", "data-error-for": blockId, role: "alert" }));
        return node;
      }
      case "image":
        return el("div", { class: "block image-alt", text: `[image: ${block.alt_text || ""}]` });
      case "rich_text":
        return el("div", { class: "block section", text: richText(block) });
      default:
        return el("div", { class: "block unsupported", text: `[${block.type} block: not shown in the sandbox]` });
    }
  }

  const richText = (block) => JSON.stringify(block).match(/"text":"((?:[^"\\]|\\.)*)"/g)?.map((t) => JSON.parse(t.slice(7))).join("") || "";

  // ------------------------------------------------------------------ elements

  function options(element) {
    const all = [...(element.options || [])];
    for (const group of element.option_groups || []) all.push(...(group.options || []));
    return all;
  }

  function element(item, blockId, ctx, dispatches) {
    const ids = { "data-block-id": blockId, "data-action-id": item.action_id || "", "data-type": item.type };
    const send = (value, text) => dispatches && ctx.onAction({ ...pick(ids), value, text });
    switch (item.type) {
      case "button": {
        const button = el("button", { type: "button", class: `btn ${item.style || ""}`, text: plainText(item.text), ...ids });
        button.addEventListener("click", () => {
          if (item.confirm && !window.confirm(`${plainText(item.confirm.title)}\n\n${plainText(item.confirm.text)}`)) return;
          if (item.url) window.open(item.url, "_blank", "noopener");
          ctx.onAction({ ...pick(ids), value: item.value ?? "", text: plainText(item.text) });
        });
        return button;
      }
      case "plain_text_input": {
        const field = item.multiline ? el("textarea", { rows: 4 }) : el("input", { type: "text" });
        Object.assign(field, { className: "text-input", placeholder: plainText(item.placeholder), value: item.initial_value || "" });
        if (item.max_length) field.maxLength = item.max_length;
        setIds(field, ids);
        return field;
      }
      case "datepicker":
      case "timepicker": {
        const field = el("input", { type: item.type === "datepicker" ? "date" : "time", class: "text-input",
          value: item.initial_date || item.initial_time || "" });
        setIds(field, ids);
        field.addEventListener("change", () => send(field.value || null));
        return field;
      }
      case "users_select":
      case "conversations_select":
      case "channels_select":
      case "static_select":
      case "external_select":
      case "overflow": {
        const field = el("select", { class: "select" });
        const blank = item.type === "overflow" ? "⋯" : plainText(item.placeholder) || "Choose…";
        field.append(el("option", { value: "", text: blank }));
        const choices = item.type === "users_select" ? ctx.peopleList.map((p) => [p.id, p.label])
          : item.type.endsWith("conversations_select") || item.type === "channels_select"
            ? Object.entries(ctx.channels) : options(item).map((o) => [o.value, plainText(o.text)]);
        for (const [value, text] of choices) field.append(el("option", { value, text }));
        field.value = item.initial_user || item.initial_conversation || item.initial_channel || item.initial_option?.value || "";
        setIds(field, ids);
        field.addEventListener("change", () => send(field.value || null, field.selectedOptions[0]?.textContent));
        return field;
      }
      case "multi_users_select":
      case "multi_static_select":
      case "checkboxes":
      case "radio_buttons": {
        const radio = item.type === "radio_buttons";
        const box = el("div", { class: `choices ${item.type}`, role: radio ? "radiogroup" : "group" });
        setIds(box, ids);
        const initial = new Set([...(item.initial_users || []), ...(item.initial_options || []).map((o) => o.value),
          item.initial_option?.value].filter(Boolean));
        const choices = item.type === "multi_users_select" ? ctx.peopleList.map((p) => ({ value: p.id, text: p.label }))
          : options(item).map((o) => {
            // Checkbox and radio options may be mrkdwn (a mention shows as the person's name, as in Slack).
            const rich = o.text?.type === "mrkdwn" ? mrkdwn(o.text.text, ctx) : null;
            return { value: o.value, text: rich ? rich.textContent : plainText(o.text), rich, description: plainText(o.description) };
          });
        const name = `${blockId}:${item.action_id}:${Math.random().toString(36).slice(2)}`;
        for (const choice of choices) {
          const input = el("input", { type: radio ? "radio" : "checkbox", name, value: choice.value, checked: initial.has(choice.value) });
          input.addEventListener("change", () => send(radio ? choice.value : checkedValues(box), choice.text));
          const label = el("label", { class: "choice" }, input, choice.rich ? el("span", {}, choice.rich) : el("span", { text: choice.text }));
          if (choice.description) label.append(el("small", { text: choice.description }));
          box.append(label);
        }
        return box;
      }
      case "image":
        return el("span", { class: "image-alt", text: `[${item.alt_text || "image"}]` });
      default:
        return el("span", { class: "unsupported", text: `[${item.type}]` });
    }
  }

  const pick = (ids) => ({ block_id: ids["data-block-id"], action_id: ids["data-action-id"], type: ids["data-type"] });
  const setIds = (node, ids) => { for (const [k, v] of Object.entries(ids)) node.setAttribute(k, v); };
  const checkedValues = (box) => [...box.querySelectorAll("input:checked")].map((i) => i.value);

  // The answers of every stateful element inside `root`: {block_id: {action_id: value}}.
  function formValues(root) {
    const form = {};
    for (const node of root.querySelectorAll("[data-action-id][data-type]")) {
      const type = node.dataset.type;
      if (type === "button" || type === "overflow") continue;
      let value;
      if (node.classList.contains("choices")) {
        const checked = checkedValues(node);
        value = type === "radio_buttons" ? checked[0] ?? null : checked;
      } else {
        value = node.value === "" ? null : node.value;
      }
      (form[node.dataset.blockId] ||= {})[node.dataset.actionId] = value;
    }
    return form;
  }

  return { el, mrkdwn, blocks, textOf, plainText, formValues };
})();
