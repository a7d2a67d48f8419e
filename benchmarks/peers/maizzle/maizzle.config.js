// Maizzle 6's defaults (CSS inlining, purging, shorthand) plus a plain-text part, as our build writes one.
export default { plaintext: true }
