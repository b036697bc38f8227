/**
 * The `## Grite` section of AGENTS.md that `grite init` writes: how an agent
 * uses grite in this repository. Idempotent: an existing section is replaced
 * in place (up to the next `## ` heading), other sections are left alone, and
 * a file already holding this exact text is not rewritten.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const AGENTS_SECTION = `## Grite

This repository tracks its issues with grite: an append-only event log in git
refs (\`refs/grite/wal\`), never in the working tree.

- Use one actor per agent: \`grite actor init --label <agent-name>\`, then pass
  \`--actor <id>\` (or set \`GRITE_HOME\` to the actor's directory) on every call.
- Add \`--json\` to every command: stdout is one document,
  \`{"schema_version":1,"ok":true,"data":{...}}\` or \`{"ok":false,"error":{"code",...}}\`.
  Exit codes: 0 ok, 2 invalid_args, 3 not_found, 4 conflict, 5 environment, 1 other.
- Start a session with \`grite prime\`: a short briefing with the ready queue and
  your claims.
- Find work: \`grite issue ready --json\` (open issues nothing open blocks, in
  dependency order); \`grite issue list --state open --label <l> --json\`.
- Take work without colliding with other agents: \`grite issue ready --claim --json\`
  (or \`grite issue claim <id>\`): a lease on the issue plus you as assignee; exit 4
  means another agent holds it. Closing the issue releases your claim.
- Many queries: \`grite batch\` (newline-delimited JSON on stdin/stdout, one
  connection) or \`grite mcp\` (an MCP server over stdio).
- Read: \`grite issue show <id> --json\` (any unique id prefix of 4+ hex characters).
- Write: \`grite issue create --title "..." --body "..." --label <l>\`,
  \`grite issue comment <id> --body "..."\`, \`grite issue close <id>\`,
  \`grite issue dep add <id> --target <id> --type blocks|depends_on|related_to\`.
- Share: \`grite sync\` pulls and pushes the log with the git remote.
`;

export interface AgentsMdResult {
  path: string;
  action: 'created' | 'appended' | 'updated' | 'unchanged';
}

export function writeAgentsSection(workTree: string): AgentsMdResult {
  const path = join(workTree, 'AGENTS.md');
  if (!existsSync(path)) {
    writeFileSync(path, `# Agents\n\n${AGENTS_SECTION}`);
    return { path, action: 'created' };
  }
  const text = readFileSync(path, 'utf8');
  const lines = text.split('\n');
  const start = lines.findIndex((l) => /^##\s+Grite\s*$/.test(l));
  if (start < 0) {
    const sep = text.length === 0 ? '' : text.endsWith('\n\n') ? '' : text.endsWith('\n') ? '\n' : '\n\n';
    writeFileSync(path, `${text}${sep}${AGENTS_SECTION}`);
    return { path, action: 'appended' };
  }
  let end = lines.findIndex((l, i) => i > start && /^#{1,2}\s/.test(l));
  if (end < 0) end = lines.length;
  const before = lines.slice(0, start).join('\n');
  const after = lines.slice(end).join('\n');
  const next = `${before}${before ? '\n' : ''}${AGENTS_SECTION}${after ? `\n${after}` : ''}`;
  if (next === text) return { path, action: 'unchanged' };
  writeFileSync(path, next);
  return { path, action: 'updated' };
}
