// html-validate for email HTML: html-validate:recommended, less the rules that forbid what
// email clients need. Each rule turned off says why; everything else stays an error.
module.exports = {
  extends: ["html-validate:recommended"],
  // MJML writes height="auto" on every <img> of an mj-image (its Outlook sizing); HTML wants a
  // number there. Allow exactly that value for img height, not the whole rule.
  elements: ["html5", "./email-elements.json"],
  rules: {
    // Gmail and others drop <style> in some cases: email CSS is inlined on purpose (premailer).
    "no-inline-style": "off",
    // <!--[if mso]> ... <![endif]--> is how Outlook for Windows gets its own table markup.
    "no-conditional-comment": "off",
    // bgcolor, align, cellpadding, border, width on tables: Outlook's Word engine reads only these.
    "no-deprecated-attr": "off",
    // MJML's inner tables put <tr> straight in <table>; every parser adds the <tbody>. Style only.
    "prefer-tbody": "off",
    // MJML writes <!doctype html>; the doctype is case-insensitive. Style only.
    "doctype-style": "off",
    // <div role="article" aria-roledescription="email"> is the accessible-email wrapper: some
    // clients strip <article>, none strip a div. Only this one element is excused.
    "prefer-native-element": ["error", { exclude: ["article"] }],
  },
};
