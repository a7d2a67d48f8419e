// The preview page's script: fills the page from state.json and keeps it live.
//
// It long-polls /_preview/events?since=EPOCH; the server answers as soon as a
// rebuild bumps the epoch. The email is swapped in a second iframe that is
// shown only once it has been laid out and scrolled to where the reader was,
// so a reload neither flashes nor jumps. The selected view, width and dark
// mode live in the URL's #fragment, so they survive reloads of the page too.
"use strict";

(() => {
  const $ = (selector) => document.querySelector(selector);
  const $$ = (selector) => Array.from(document.querySelectorAll(selector));
  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
  const page = document.body.dataset.page;
  let epoch = page === "index" ? Number(document.body.dataset.epoch) : -1;

  function setConnected(live) {
    const badge = $("#connection");
    if (!badge) return;
    badge.textContent = live ? "live" : "reconnecting…";
    badge.className = "connection " + (live ? "live" : "lost");
  }

  async function poll(onChange) {
    for (;;) {
      try {
        const response = await fetch(`/_preview/events?since=${epoch}`, { cache: "no-store" });
        if (!response.ok) throw new Error(`HTTP ${response.status}`);
        const next = (await response.json()).epoch;
        setConnected(true);
        if (next !== epoch) {
          epoch = next;
          await onChange();
        }
      } catch (error) {
        setConnected(false);
        await sleep(500);
      }
    }
  }

  if (page === "index") {
    poll(async () => location.reload());
    return;
  }

  // ---- the issue page -------------------------------------------------------
  const slug = document.body.dataset.slug;
  const settings = Object.assign({ view: "email", width: "desktop", dark: "0", inverted: "0" },
    Object.fromEntries(new URLSearchParams(location.hash.slice(1))));
  let state = null;
  let shownDoc = null;
  let swapToken = 0;
  let renders = 0;
  const scrollKey = `newsletter-preview-scroll:${slug}`;
  // Where the reader is in the email. Tracked rather than read at swap time:
  // while another view is selected the iframe has no layout, so no scroll.
  let emailScroll = JSON.parse(sessionStorage.getItem(scrollKey) || "[0,0]");

  function saveSettings() {
    history.replaceState(null, "", "#" + new URLSearchParams(settings).toString());
  }

  function applySettings() {
    for (const button of $$("button[data-view]")) {
      button.setAttribute("aria-selected", String(button.dataset.view === settings.view));
    }
    for (const panel of $$("[data-view-panel]")) {
      panel.hidden = panel.dataset.viewPanel !== settings.view;
    }
    for (const button of $$("button[data-width]")) {
      button.setAttribute("aria-pressed", String(button.dataset.width === settings.width));
    }
    $('[data-toggle="dark"]').setAttribute("aria-pressed", String(settings.dark === "1"));
    $('[data-toggle="inverted"]').setAttribute("aria-pressed", String(settings.inverted === "1"));
    $("#stage").className = `stage ${settings.width}`;
    restoreScroll(currentFrame());
    document.body.dataset.showView = settings.view;
    document.body.dataset.showWidth = settings.width;
    document.body.dataset.showDark = settings.dark;
    document.body.dataset.showInverted = settings.inverted;
  }

  // Dark mode simulation: the email's prefers-color-scheme rules are forced on
  // (or off), and the document's color-scheme is set, as Apple Mail and other
  // clients that honour the media query do. Rewriting the query rather than
  // relying on the OS setting makes "light" light even on a dark desktop.
  function prepare(html, dark) {
    const always = "(min-width: 0px)";
    const never = "(max-width: 0px)";
    let out = html
      .replace(/\(\s*prefers-color-scheme\s*:\s*dark\s*\)/gi, dark ? always : never)
      .replace(/\(\s*prefers-color-scheme\s*:\s*light\s*\)/gi, dark ? never : always);
    const head = `<base target="_blank"><style>:root{color-scheme:${dark ? "dark" : "light"} only}</style>`;
    return /<head[^>]*>/i.test(out) ? out.replace(/<head[^>]*>/i, (tag) => tag + head) : head + out;
  }

  function currentFrame() {
    return $("#stage iframe.current");
  }

  function restoreScroll(frame) {
    if (frame && frame.contentWindow) frame.contentWindow.scrollTo(emailScroll[0], emailScroll[1]);
  }

  function trackScroll(frame) {
    const win = frame.contentWindow;
    win.addEventListener("scroll", () => {
      // only the shown email's own scrolling counts, not the jump to 0 of a hidden one
      if (frame.classList.contains("current") && settings.view === "email") emailScroll = [win.scrollX, win.scrollY];
    }, { passive: true });
  }

  function showEmail(force) {
    if (!state || !state.html) return;
    // Inverted: the light email, repainted by invert.js once parsed (what Gmail's apps and Outlook's dark
    // mode do instead of honouring prefers-color-scheme); the marker makes it a different document
    const inverted = settings.inverted === "1";
    const doc = prepare(state.html, settings.dark === "1" && !inverted) + (inverted ? "<!-- inverted -->" : "");
    if (doc === shownDoc && !force) return;
    shownDoc = doc;
    const token = ++swapToken;
    const frame = document.createElement("iframe");
    frame.title = "Email preview";
    frame.className = "email pending";
    // no allow-scripts: nothing in an email may run; same-origin lets us read and restore its scroll
    frame.setAttribute("sandbox", "allow-same-origin allow-popups allow-popups-to-escape-sandbox");
    frame.srcdoc = doc;
    $("#stage").appendChild(frame);
    whenParsed(frame).then(() => {
      if (token !== swapToken) {
        frame.remove();
        return;
      }
      const target = emailScroll.slice();
      if (inverted && frame.contentDocument) npInvert(frame.contentDocument);
      restoreScroll(frame);
      frame.classList.replace("pending", "current");
      trackScroll(frame);
      for (const other of $$("#stage iframe")) if (other !== frame) other.remove();
      renders += 1;
      document.body.dataset.renders = String(renders);
      document.body.dataset.epoch = String(state.epoch);
      // Images arriving later change the layout (and scroll anchoring moves the page):
      // once they are in, go back to the reader's offset, unless the reader has moved since.
      if (frame.contentDocument.readyState !== "complete") {
        let moved = false;
        for (const type of ["wheel", "touchstart", "keydown", "mousedown"]) {
          frame.contentWindow.addEventListener(type, () => { moved = true; }, { passive: true, once: true });
        }
        frame.addEventListener("load", () => {
          if (moved) return;
          emailScroll = target;
          restoreScroll(frame);
        }, { once: true });
      }
    });
  }

  // Resolves once the srcdoc document (not the initial about:blank) is parsed.
  function whenParsed(frame) {
    return new Promise((resolve) => {
      const check = () => {
        const doc = frame.contentDocument;
        if (!frame.isConnected) return resolve();
        if (doc && doc.URL === "about:srcdoc" && doc.readyState !== "loading") return resolve();
        requestAnimationFrame(check);
      };
      frame.addEventListener("load", () => resolve(), { once: true });
      check();
    });
  }

  function keepScroll(element, update) {
    const section = element.closest("section");
    const top = section.scrollTop;
    update();
    section.scrollTop = top;
  }

  function setText(selector, text) {
    const element = $(selector);
    if (element.textContent !== text) keepScroll(element, () => { element.textContent = text; });
  }

  function renderFindings(s) {
    const list = $("#findings");
    const items = [
      ...s.errors.map((text) => ({ level: "error", text })),
      ...s.findings.map((f) => ({ level: f.level, text: f.text })),
    ];
    keepScroll(list, () => {
      list.replaceChildren(...items.map(({ level, text }) => {
        const item = document.createElement("li");
        item.className = `finding ${level}`;
        item.textContent = text;
        return item;
      }));
      if (!items.length) {
        const item = document.createElement("li");
        item.className = "finding none";
        item.textContent = "No problems found.";
        list.append(item);
      }
    });
    const errors = s.errors.length + s.findings.filter((f) => f.level === "error").length;
    const warnings = s.findings.filter((f) => f.level === "warning").length;
    $("#check-count").textContent = `(${plural(errors, "error")}, ${plural(warnings, "warning")})`;
  }

  function plural(count, noun) {
    return `${count} ${noun}${count === 1 ? "" : "s"}`;
  }

  // What stops `newsletter send`: a banner over the email, each finding at its file:line.
  function renderBlocking(s) {
    const blocking = s.blocking || [];
    const banner = $("#blocking");
    banner.hidden = blocking.length === 0;
    document.body.dataset.blocked = String(blocking.length > 0);
    $("#blocking-title").textContent = blocking.length
      ? `${plural(blocking.length, "error")} would stop \`newsletter send\`:` : "";
    $("#blocking-list").replaceChildren(...blocking.map((b) => {
      const item = document.createElement("li");
      const where = document.createElement("code");
      where.textContent = b.location.split(":").slice(0, 2).join(":");
      item.append(where, ": ", b.text.startsWith(b.location) ? b.text.slice(b.location.length).replace(/^:\s*/, "") : b.text);
      return item;
    }));
  }

  // The inbox card: sender, subject and preheader as a mail client's message list shows them.
  function renderInbox(s) {
    const inbox = s.inbox || { from_name: "", from_email: "", subject: s.subject, preheader: "", visible: 0 };
    $("#inbox-from").textContent = inbox.from_name ? `${inbox.from_name} <${inbox.from_email}>` : inbox.from_email;
    $("#inbox-subject").textContent = inbox.subject;
    $("#inbox-preheader").textContent = inbox.preheader ? ` – ${inbox.preheader}` : " – (no preheader: the email's first words show here)";
    const fits = inbox.visible >= inbox.min && inbox.visible <= inbox.max;
    const length = $("#inbox-length");
    length.textContent = `preheader: ${plural(inbox.visible, "visible character")} (aim for ${inbox.min}–${inbox.max})`;
    length.className = "inbox-length " + (fits ? "ok" : "warn");
  }

  async function sendTest() {
    const button = $("#send-test");
    const result = $("#send-result");
    button.disabled = true;
    result.hidden = false;
    result.className = "send-result busy";
    result.textContent = "Sending a test…";
    try {
      const token = document.querySelector('meta[name="preview-token"]').content;
      const response = await fetch("send-test", { method: "POST", cache: "no-store", headers: { "X-Preview-Token": token } });
      const answer = await response.json();
      result.className = "send-result " + (answer.ok ? "ok" : "error");
      result.textContent = answer.lines.join("\n");
    } catch (error) {
      result.className = "send-result error";
      result.textContent = `The test send did not reach the preview server: ${error.message}`;
    } finally {
      button.disabled = false;
      document.body.dataset.sendDone = String(Number(document.body.dataset.sendDone || 0) + 1);
    }
  }

  function renderSize(s) {
    const badge = $("#size");
    if (!s.html) {
      badge.textContent = "";
      return;
    }
    const percent = Math.round((s.size * 100) / s.limit);
    badge.textContent = `${s.size.toLocaleString("en")} B of Gmail's ${s.limit.toLocaleString("en")} (${percent}%)`;
    // red with any error that stops a send, not only with the size
    const blocked = (s.blocking || []).length > 0;
    badge.className = "size " + (s.size > s.limit || blocked ? "over" : s.size > s.warn_at ? "warn" : "ok");
    badge.title = blocked ? "Errors stop `newsletter send`: see Checks" : "Gmail clips HTML over 102,400 bytes";
  }

  function renderOverlay(s) {
    const overlay = $("#overlay");
    $("#errors").textContent = s.errors.join("\n");
    overlay.hidden = s.errors.length === 0 || overlay.dataset.hiddenEpoch === String(s.epoch);
    document.body.dataset.buildOk = String(s.errors.length === 0);
  }

  function render(s) {
    state = s;
    document.title = `Preview: ${s.subject || s.slug}`;
    $("#subject").textContent = s.subject || s.file;
    setText("#text", s.text);
    setText("#html-source", s.source);
    setText("#mjml-source", s.mjml);
    renderFindings(s);
    renderSize(s);
    renderBlocking(s);
    renderInbox(s);
    renderOverlay(s);
    showEmail(false);
  }

  async function refresh() {
    const response = await fetch("state.json", { cache: "no-store" });
    if (response.status === 404) {
      render({ slug, file: slug, subject: "", html: "", text: "", mjml: "", findings: [], size: 0,
               errors: [`${slug}: this issue is no longer in the preview (was its file removed?)`] });
      return;
    }
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    render(await response.json());
  }

  for (const button of $$("button[data-view]")) {
    button.addEventListener("click", () => { settings.view = button.dataset.view; saveSettings(); applySettings(); });
  }
  for (const button of $$("button[data-width]")) {
    button.addEventListener("click", () => { settings.width = button.dataset.width; saveSettings(); applySettings(); });
  }
  $('[data-toggle="dark"]').addEventListener("click", () => {
    settings.dark = settings.dark === "1" ? "0" : "1";
    if (settings.dark === "1") settings.inverted = "0";  // one simulation at a time
    saveSettings();
    applySettings();
    showEmail(false);
  });
  $('[data-toggle="inverted"]').addEventListener("click", () => {
    settings.inverted = settings.inverted === "1" ? "0" : "1";
    if (settings.inverted === "1") settings.dark = "0";
    saveSettings();
    applySettings();
    showEmail(false);
  });
  $("#blocking-show").addEventListener("click", () => { settings.view = "checks"; saveSettings(); applySettings(); });
  $("#send-test").addEventListener("click", sendTest);
  $("#overlay-hide").addEventListener("click", () => {
    $("#overlay").dataset.hiddenEpoch = String(state && state.epoch);
    $("#overlay").hidden = true;
  });
  window.addEventListener("pagehide", () => sessionStorage.setItem(scrollKey, JSON.stringify(emailScroll)));

  applySettings();
  poll(refresh);
})();
