/**
 * User text -> an FTS5 MATCH expression that cannot be read as FTS syntax.
 *
 * The text is split on white space; every piece becomes a quoted FTS5 string
 * (embedded `"` doubled), so `AND`, `OR`, `NOT`, `NEAR`, `*`, `-`, `^`, `:`
 * and parentheses are plain text. Each piece is a prefix query (`"piece"*`)
 * and all pieces must match (implicit AND). Inside a piece, the tokenizer
 * splits on the same characters it splits the documents on, so `foo-bar`
 * matches the phrase "foo bar".
 *
 * Pieces with no token character (the tokenizer's categories, see schema.ts)
 * can match nothing and are dropped; when none is left the result is null and
 * the caller returns no issues.
 */
const TOKEN_CHAR = /[\p{L}\p{N}\p{M}\p{Co}\p{So}]/u;

export function ftsMatchExpression(text: string): string | null {
  const pieces = text.split(/\s+/u).filter((p) => TOKEN_CHAR.test(p));
  if (pieces.length === 0) return null;
  return pieces.map((p) => `"${p.replace(/"/g, '""')}"*`).join(' ');
}
