// The seed newsletter as a react-email component, rendered by @react-email/render
// (for benchmarks/peers.py). A port of the same sections our templates write:
// masthead, editorial with signature, articles with authors and "read more",
// a call to action, a link list, bullets, upcoming and past events (two columns),
// and the footer (social links, contact, website, postal address, unsubscribe).
// Plain JavaScript with React.createElement, so no JSX compiler is needed.
//
//   node react-email.mjs DATA.json OUT_DIR COUNT [components|separate]
//
// DATA.json holds {"issue": ..., "settings": ...} (the seed and newsletter.yaml).
// COUNT renders of the same issue in one process (each its own subject), each
// written as OUT_DIR/N/email.html and email.txt (toPlainText). "components"
// imports every component from @react-email/components (what its docs show);
// "separate" imports each from its own package (@react-email/button, ...).
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createElement as h } from "react";
import { render, toPlainText } from "@react-email/render";

const NAMES = ["Html", "Head", "Preview", "Body", "Container", "Section", "Row", "Column", "Heading", "Text",
  "Button", "Link", "Img", "Hr", "Markdown"];

async function components(how) {
  if (how === "separate") {
    const found = {};
    for (const name of NAMES) {
      const pkg = name.replace(/[A-Z]/g, (c, i) => (i ? "-" : "") + c.toLowerCase());
      found[name] = (await import(`@react-email/${pkg}`))[name];
    }
    return found;
  }
  return import("@react-email/components");
}

const MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
  "November", "December"];
const day = (iso) => { const d = new Date(iso + "T00:00:00Z"); return `${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()}`; };
const range = (start, end) => (end && end !== start ? `${day(start)} – ${day(end)}` : day(start));

function newsletter(C, issue, settings) {
  const colors = settings.brand.colors;
  const font = settings.brand.fonts.body;
  const text = { color: colors.text, fontFamily: font, fontSize: "16px", lineHeight: "24px", margin: "0 0 12px" };
  const muted = { ...text, color: colors.muted, fontSize: "14px", lineHeight: "20px" };
  const heading = { color: colors.primary, fontFamily: settings.brand.fonts.heading, fontSize: "22px", lineHeight: "28px", margin: "0 0 12px" };
  const card = { backgroundColor: colors.surface, padding: "24px 32px", marginBottom: "16px" };
  const button = { backgroundColor: colors.accent, color: colors.button_text, fontFamily: font, fontSize: "16px",
    fontWeight: "bold", padding: "12px 24px", borderRadius: "4px", textDecoration: "none" };
  const link = { color: colors.link };
  const md = (body) => h(C.Markdown, { markdownCustomStyles: { p: text, li: text, link }, markdownContainerStyles: {} }, body);
  const btn = (b) => b && h(Section, { style: { padding: "8px 0" } }, h(C.Button, { href: b.url, style: button }, b.label));
  const Section = C.Section;

  const blocks = {
    masthead: (b) => h(Section, { style: { backgroundColor: colors.primary, padding: "24px 32px", textAlign: "center" } },
      settings.brand.logo && h(C.Link, { href: settings.brand.logo.href },
        h(C.Img, { src: settings.brand.logo.src, alt: settings.brand.logo.alt, width: settings.brand.logo.width, style: { margin: "0 auto" } })),
      h(C.Heading, { as: "h1", style: { ...heading, color: "#ffffff", fontSize: "28px" } }, b.title),
      b.subtitle && h(C.Text, { style: { ...text, color: "#ffffff" } }, b.subtitle)),
    editorial: (b) => h(Section, { style: card },
      b.title && h(C.Heading, { as: "h2", style: heading }, b.title), md(b.body),
      b.signature && h(C.Text, { style: muted }, b.signature.names.join(", "),
        b.signature.affiliation ? h("br") : null, b.signature.affiliation)),
    article: (b) => h(Section, { style: card },
      h(C.Heading, { as: "h2", style: heading }, b.title),
      (b.authors || []).map((a, i) => h(C.Text, { key: i, style: muted },
        h("strong", null, a.name), [a.role, a.affiliation].filter(Boolean).map((x) => `, ${x}`).join(""))),
      md(b.body), btn(b.link)),
    cta: (b) => h(Section, { style: { ...card, textAlign: "center" } }, b.text && md(b.text), btn(b.button)),
    link_list: (b) => h(Section, { style: card },
      h(C.Heading, { as: "h2", style: heading }, b.title), b.intro && md(b.intro),
      h("ul", null, b.links.map((l, i) => h("li", { key: i, style: text }, h(C.Link, { href: l.url, style: link }, l.title)))),
      b.outro && md(b.outro), btn(b.button)),
    bullets: (b) => h(Section, { style: card },
      h(C.Heading, { as: "h2", style: heading }, b.title), b.intro && md(b.intro),
      h("ul", null, b.items.map((item, i) => h("li", { key: i, style: text }, item))),
      b.outro && md(b.outro), btn(b.button),
      b.link && h(C.Text, { style: text }, h(C.Link, { href: b.link.url, style: link }, b.link.label))),
    upcoming_events: (b) => h(Section, { style: card },
      h(C.Heading, { as: "h2", style: heading }, b.title || "Upcoming events"), b.intro && md(b.intro),
      b.events.map((e, i) => h(Section, { key: i, style: { padding: "8px 0" } },
        h(C.Text, { style: muted }, `${range(e.start, e.end)} · ${e.place}`),
        h(C.Text, { style: { ...text, fontWeight: "bold" } }, e.title),
        h(C.Link, { href: e.url, style: link }, e.label || "Know more")))),
    past_events: (b) => {
      const rows = [];
      for (let i = 0; i < b.events.length; i += 2) rows.push(b.events.slice(i, i + 2));
      return h(Section, { style: card },
        h(C.Heading, { as: "h2", style: heading }, b.title), b.intro && md(b.intro),
        rows.map((row, r) => h(C.Row, { key: r }, row.map((e, i) => h(C.Column, { key: i, style: { width: "50%", verticalAlign: "top", padding: "8px" } },
          h(C.Text, { style: muted }, `${day(e.date)} · ${e.where || "Online"}`),
          h(C.Text, { style: { ...text, fontWeight: "bold" } }, e.title),
          e.subtitle && h(C.Text, { style: muted }, e.subtitle),
          h(C.Link, { href: e.url, style: link }, e.label || "Know more"))))));
    },
    footer: (b) => h(Section, { style: { padding: "24px 32px", textAlign: "center" } },
      h(C.Heading, { as: "h2", style: { ...heading, fontSize: "18px" } }, b.title || "Follow us"),
      h(C.Text, { style: muted }, (settings.social || []).map((s, i) => h("span", { key: i }, i ? " · " : "",
        h(C.Link, { href: s.url, style: link }, s.label)))),
      h(C.Hr, null),
      settings.contact_email && h(C.Text, { style: muted }, h(C.Link, { href: `mailto:${settings.contact_email}`, style: link }, settings.contact_email)),
      settings.website && h(C.Text, { style: muted }, h(C.Link, { href: settings.website, style: link }, settings.website)),
      h(C.Text, { style: muted }, settings.postal_address),
      h(C.Text, { style: muted }, h(C.Link, { href: "{{ unsubscribe_url }}", style: link }, "Unsubscribe"))),
  };

  return h(C.Html, { lang: issue.language || "en" },
    h(C.Head, null, h("title", null, issue.subject)),
    issue.preheader && h(C.Preview, null, issue.preheader),
    h(C.Body, { style: { backgroundColor: colors.background, margin: 0, fontFamily: font } },
      h(C.Container, { style: { maxWidth: `${settings.brand.width}px` } },
        issue.blocks.map((b, i) => h("div", { key: i }, blocks[b.type](b))))));
}

const [data, out, count = "1", how = "components"] = process.argv.slice(2);
const { issue, settings } = JSON.parse(readFileSync(data, "utf8"));
const C = await components(how);
for (let n = 0; n < Number(count); n++) {
  const html = await render(newsletter(C, { ...issue, subject: `${issue.subject} (${n})` }, settings));
  const folder = join(out, String(n));
  mkdirSync(folder, { recursive: true });
  writeFileSync(join(folder, "email.html"), html);
  writeFileSync(join(folder, "email.txt"), toPlainText(html));
}
