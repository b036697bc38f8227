/** The issue workflow: create, list, show, update, comment, close, reopen, labels, assignees, links, attachments. */
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import * as Args from '@oclif/core/args';
import * as Flags from '@oclif/core/flags';
import {
  EditAction,
  IssueAssignT,
  IssueAttachT,
  IssueClaimT,
  IssueCloseT,
  IssueCommentT,
  IssueCreateT,
  IssueLabelT,
  IssueLinkT,
  IssueListT,
  IssueReadyT,
  IssueReopenT,
  IssueShowT,
  IssueSort,
  IssueUpdateT,
  StateFilter,
} from '@grite/protocol';
import { globalFlags } from '../flags.js';
import type { OpInput, StoreOp } from './op.js';
import { claimTtlFlag, claimTtlMs, renderClaim } from './agent.js';
import { renderIssueList, renderIssueShow, renderWrite } from '../render/human.js';
import { usageError } from '../usage-error.js';

/** The issue argument every issue command takes. */
export const issueArg = { id: Args.string({ description: 'Issue id: any unique prefix of 4+ hex characters.', required: true }) };

/** `--body`, `--body-file` (a path, or `-` for stdin), or `--body -` for stdin. */
async function bodyFrom(input: OpInput, required: boolean): Promise<string | null> {
  const { body, 'body-file': file } = input.flags as { body?: string; 'body-file'?: string };
  if (body !== undefined && file !== undefined) throw usageError('give --body or --body-file, not both');
  if (file !== undefined) {
    if (file === '-') return input.readStdin();
    try {
      return readFileSync(resolve(input.cwd, file), 'utf8');
    } catch (e) {
      throw usageError(`cannot read --body-file ${file}: ${(e as Error).message}`);
    }
  }
  if (body === '-') return input.readStdin();
  if (body === undefined && required) throw usageError('a body is required: give --body, --body-file or pipe it with --body -');
  return body ?? null;
}

const bodyFlags = {
  body: Flags.string({ char: 'b', description: 'Body text (`-` reads stdin).' }),
  'body-file': Flags.string({ description: 'Read the body from a file (`-` for stdin).' }),
};

function nonEmpty(name: string, v: string): string {
  if (v.trim() === '') throw usageError(`${name} must not be empty`);
  return v;
}

export const issueCreate: StoreOp = {
  kind: 'store',
  id: 'issue create',
  summary: 'Create an issue.',
  examples: ['<%= config.bin %> issue create --title "Crash on start" --body "Steps..." --label bug'],
  flags: {
    ...globalFlags,
    title: Flags.string({ char: 't', description: 'Title (required, not empty).' }),
    ...bodyFlags,
    label: Flags.string({ char: 'l', description: 'Label (repeatable).', multiple: true }),
    assignee: Flags.string({ char: 'a', description: 'Assignee (repeatable).', multiple: true }),
  },
  args: {},
  write: true,
  async build(input) {
    const title = input.flags.title as string | undefined;
    if (title === undefined) throw usageError('a title is required: --title "..."');
    nonEmpty('the title', title);
    const labels = ((input.flags.label as string[] | undefined) ?? []).map((l) => nonEmpty('a label', l));
    const assignees = ((input.flags.assignee as string[] | undefined) ?? []).map((a) => nonEmpty('an assignee', a));
    const body = (await bodyFrom(input, false)) ?? '';
    const issueId = Array.from(globalThis.crypto.getRandomValues(new Uint8Array(16)));
    return new IssueCreateT(issueId, BigInt(input.now), title, body, labels, assignees);
  },
  human: (d) => renderWrite('created', d),
};

const STATES: Record<string, StateFilter> = { open: StateFilter.open, closed: StateFilter.closed, all: StateFilter.any, any: StateFilter.any };
const SORTS: Record<string, IssueSort> = {
  id: IssueSort.id,
  updated: IssueSort.updated_desc,
  '-updated': IssueSort.updated_desc,
  '+updated': IssueSort.updated_asc,
  created: IssueSort.created_desc,
  '-created': IssueSort.created_desc,
  '+created': IssueSort.created_asc,
};

export const issueList: StoreOp = {
  kind: 'store',
  id: 'issue list',
  summary: 'List issues, filtered and sorted.',
  examples: ['<%= config.bin %> issue list --state open --label bug --json', '<%= config.bin %> issue list --search "crash" --limit 20'],
  flags: {
    ...globalFlags,
    state: Flags.string({ char: 's', description: 'open, closed or all.', options: ['open', 'closed', 'all'], default: 'all' }),
    label: Flags.string({ char: 'l', description: 'Only issues with this label (repeatable: all must match).', multiple: true }),
    assignee: Flags.string({ char: 'a', description: 'Only issues assigned to this user.' }),
    search: Flags.string({ description: 'Full-text search over title, body and comments.' }),
    sort: Flags.string({ description: 'Order of the rows.', options: Object.keys(SORTS), default: 'id' }),
    limit: Flags.integer({ char: 'n', description: 'At most this many rows (the rest come with --cursor).', min: 1 }),
    cursor: Flags.string({ description: 'Continue a listing from its next_cursor.' }),
  },
  args: {},
  write: false,
  readOnly: true,
  build({ flags }) {
    return new IssueListT(
      STATES[flags.state as string] ?? StateFilter.any,
      (flags.label as string[] | undefined) ?? [],
      (flags.assignee as string | undefined) ?? null,
      (flags.search as string | undefined) ?? null,
      SORTS[flags.sort as string] ?? IssueSort.id,
      (flags.limit as number | undefined) ?? 0,
      (flags.cursor as string | undefined) ?? null,
    );
  },
  human: (d) => renderIssueList(d),
};

export const issueReady: StoreOp = {
  kind: 'store',
  id: 'issue ready',
  summary: 'Open issues nothing open waits on: what to pick up next, in dependency order.',
  examples: ['<%= config.bin %> issue ready --limit 5', '<%= config.bin %> issue ready --claim --json'],
  flags: {
    ...globalFlags,
    limit: Flags.integer({ char: 'n', description: 'At most this many rows.', min: 1 }),
    cursor: Flags.string({ description: 'Continue from a next_cursor.' }),
    claim: Flags.boolean({ description: 'Claim the first ready issue nobody holds a claim on (see issue claim).', default: false }),
    ttl: claimTtlFlag,
  },
  args: {},
  // With --claim it writes (ops/agent.ts opWrites).
  write: false,
  readOnly: true,
  build({ flags, now }) {
    if (flags.claim === true) return new IssueClaimT(null, BigInt(now), claimTtlMs(flags));
    return new IssueReadyT((flags.limit as number | undefined) ?? 0, (flags.cursor as string | undefined) ?? null);
  },
  human: (d) => (d.lock !== undefined ? renderClaim(d) : renderIssueList(d)),
};

export const issueShow: StoreOp = {
  kind: 'store',
  id: 'issue show',
  summary: 'Show an issue with its comments, links, dependencies and events.',
  flags: { ...globalFlags },
  args: issueArg,
  write: false,
  readOnly: true,
  build({ args }) {
    return new IssueShowT(args.id as string);
  },
  human: (d) => renderIssueShow(d),
};

export const issueUpdate: StoreOp = {
  kind: 'store',
  id: 'issue update',
  summary: "Change an issue's title and/or body.",
  flags: { ...globalFlags, title: Flags.string({ char: 't', description: 'New title.' }), ...bodyFlags },
  args: issueArg,
  write: true,
  async build(input) {
    const title = input.flags.title as string | undefined;
    if (title !== undefined) nonEmpty('the title', title);
    const body = await bodyFrom(input, false);
    if (title === undefined && body === null) throw usageError('nothing to update: give --title and/or --body');
    return new IssueUpdateT(input.args.id as string, BigInt(input.now), title ?? null, body);
  },
  human: (d) => renderWrite('updated', d),
};

export const issueComment: StoreOp = {
  kind: 'store',
  id: 'issue comment',
  summary: 'Add a comment to an issue.',
  flags: { ...globalFlags, ...bodyFlags },
  args: issueArg,
  write: true,
  async build(input) {
    const body = (await bodyFrom(input, true))!;
    nonEmpty('the comment', body);
    return new IssueCommentT(input.args.id as string, BigInt(input.now), body);
  },
  human: (d) => renderWrite('commented on', d),
};

export const issueClose: StoreOp = {
  kind: 'store',
  id: 'issue close',
  summary: 'Close an issue.',
  flags: { ...globalFlags },
  args: issueArg,
  write: true,
  build: (input) => new IssueCloseT(input.args.id as string, BigInt(input.now)),
  human: (d) => renderWrite('closed', d),
};

export const issueReopen: StoreOp = {
  kind: 'store',
  id: 'issue reopen',
  summary: 'Reopen a closed issue.',
  flags: { ...globalFlags },
  args: issueArg,
  write: true,
  build: (input) => new IssueReopenT(input.args.id as string, BigInt(input.now)),
  human: (d) => renderWrite('reopened', d),
};

function labelOp(action: 'add' | 'remove'): StoreOp {
  return {
    kind: 'store',
    id: `issue label ${action}`,
    summary: action === 'add' ? 'Add labels to an issue.' : 'Remove labels from an issue.',
    flags: { ...globalFlags, label: Flags.string({ char: 'l', description: 'Label (repeatable).', multiple: true, required: true }) },
    args: issueArg,
    write: true,
    build(input) {
      const labels = (input.flags.label as string[]).map((l) => nonEmpty('a label', l));
      return new IssueLabelT(input.args.id as string, BigInt(input.now), labels, action === 'add' ? EditAction.add : EditAction.remove);
    },
    human: (d) => renderWrite(action === 'add' ? 'labelled' : 'unlabelled', d),
  };
}

function assigneeOp(action: 'add' | 'remove'): StoreOp {
  return {
    kind: 'store',
    id: `issue assignee ${action}`,
    summary: action === 'add' ? 'Assign users to an issue.' : 'Unassign users from an issue.',
    flags: { ...globalFlags, user: Flags.string({ char: 'u', description: 'User (repeatable).', multiple: true, required: true }) },
    args: issueArg,
    write: true,
    build(input) {
      const users = (input.flags.user as string[]).map((u) => nonEmpty('a user', u));
      return new IssueAssignT(input.args.id as string, BigInt(input.now), users, action === 'add' ? EditAction.add : EditAction.remove);
    },
    human: (d) => renderWrite(action === 'add' ? 'assigned' : 'unassigned', d),
  };
}

export const issueLabelAdd = labelOp('add');
export const issueLabelRemove = labelOp('remove');
export const issueAssigneeAdd = assigneeOp('add');
export const issueAssigneeRemove = assigneeOp('remove');

export const issueLinkAdd: StoreOp = {
  kind: 'store',
  id: 'issue link add',
  summary: 'Attach a URL to an issue.',
  flags: {
    ...globalFlags,
    url: Flags.string({ description: 'The URL.', required: true }),
    note: Flags.string({ description: 'A note about the link.' }),
  },
  args: issueArg,
  write: true,
  build(input) {
    const url = nonEmpty('the url', input.flags.url as string);
    return new IssueLinkT(input.args.id as string, BigInt(input.now), url, (input.flags.note as string | undefined) ?? null);
  },
  human: (d) => renderWrite('linked', d),
};

const MIME: Record<string, string> = {
  txt: 'text/plain', md: 'text/markdown', json: 'application/json', log: 'text/plain', png: 'image/png', jpg: 'image/jpeg',
  jpeg: 'image/jpeg', gif: 'image/gif', svg: 'image/svg+xml', pdf: 'application/pdf', html: 'text/html', csv: 'text/csv',
  zip: 'application/zip', gz: 'application/gzip', tar: 'application/x-tar', ts: 'text/plain', js: 'text/javascript',
};

export const issueAttachmentAdd: StoreOp = {
  kind: 'store',
  id: 'issue attachment add',
  summary: 'Record a file attached to an issue (its name, SHA-256 and type; the content is not stored).',
  flags: {
    ...globalFlags,
    name: Flags.string({ description: 'Name to record (default: the file name).' }),
    mime: Flags.string({ description: 'MIME type (default: from the extension).' }),
  },
  args: { ...issueArg, file: Args.string({ description: 'The file to hash.', required: true }) },
  write: true,
  build(input) {
    const path = resolve(input.cwd, input.args.file as string);
    let data: Buffer;
    try {
      if (!statSync(path).isFile()) throw new Error('not a regular file');
      data = readFileSync(path);
    } catch (e) {
      throw usageError(`cannot read ${input.args.file as string}: ${(e as Error).message}`);
    }
    const sha = Array.from(createHash('sha256').update(data).digest());
    const name = (input.flags.name as string | undefined) ?? basename(path);
    const ext = name.includes('.') ? name.slice(name.lastIndexOf('.') + 1).toLowerCase() : '';
    const mime = (input.flags.mime as string | undefined) ?? MIME[ext] ?? 'application/octet-stream';
    return new IssueAttachT(input.args.id as string, BigInt(input.now), name, sha, mime);
  },
  human: (d) => renderWrite('attached to', d),
};
