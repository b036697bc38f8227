// Export: every issue with its events, pages that neither overlap nor skip,
// --since a time or an event (projection order), and the Markdown document.
import { describe, expect, it } from 'vitest';
import { createEvent, newActorId, newIssueId, toHex } from '../src/codec/index.js';
import type { Event } from '../src/event.js';
import { exportMarkdown, exportPage } from '../src/export/index.js';
import { Store } from '../src/store.js';
import { Scratch, scratchSuite } from './sync-harness.js';

const suite = scratchSuite();
let scratch: Scratch;

const T = 1_700_000_000_000;

async function fixture(): Promise<{ store: Store; events: Event[]; issues: Uint8Array[] }> {
  scratch = suite.scratch('grite-export-');
  const store = await Store.open({ commonDir: scratch.repo('a') });
  suite.track(store);
  const actor = newActorId();
  const issues = [newIssueId(), newIssueId(), newIssueId()];
  const events: Event[] = [];
  const add = (i: number, ts: number, kind: Event['kind']) => events.push(createEvent({ issueId: issues[i]!, actor, ts: T + ts, kind }));
  add(0, 0, { type: 'IssueCreated', title: 'Crash on start', body: 'It *crashes*.\n\nEvery time.', labels: ['bug'] });
  add(1, 1, { type: 'IssueCreated', title: 'Dark mode', body: '', labels: [] });
  add(2, 2, { type: 'IssueCreated', title: 'Docs', body: 'Write them', labels: ['docs'] });
  add(0, 10, { type: 'CommentAdded', body: 'seen it\ntoo' });
  add(1, 11, { type: 'AssigneeAdded', user: 'ann' });
  add(0, 12, { type: 'DependencyAdded', target: issues[2]!, depType: 'depends_on' });
  add(2, 20, { type: 'StateChanged', state: 'closed' });
  add(1, 21, { type: 'LinkAdded', url: 'https://example.com/x', note: 'spec' });
  // An event of an issue whose IssueCreated never arrived: not exported.
  events.push(createEvent({ issueId: newIssueId(), actor, ts: T + 30, kind: { type: 'CommentAdded', body: 'orphan' } }));
  await store.append(events);
  return { store, events, issues };
}

const hexes = (evs: Event[]) => evs.map((e) => toHex(e.eventId));

describe('export', () => {
  it('exports every issue and its events in projection order', async () => {
    const { store, events } = await fixture();
    const page = exportPage(store.view);
    expect(page.issues.map((i) => toHex(i.issueId))).toEqual(page.issues.map((i) => toHex(i.issueId)).sort());
    expect(page.issues).toHaveLength(3);
    expect(hexes(page.events)).toEqual(hexes(events.slice(0, 8)));
    expect(page.walHead).toBe(await store.wal.head());
    expect(page.nextCursor).toBeNull();
    expect(page.sinceLabel).toBeNull();
  });

  it('pages of issues neither overlap nor skip', async () => {
    const { store } = await fixture();
    const ids: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    let events = 0;
    do {
      const p = exportPage(store.view, { limit: 2, cursor });
      ids.push(...p.issues.map((i) => toHex(i.issueId)));
      events += p.events.length;
      cursor = p.nextCursor;
      pages++;
    } while (cursor !== null);
    expect(pages).toBe(2);
    expect(ids).toEqual(exportPage(store.view).issues.map((i) => toHex(i.issueId)));
    expect(events).toBe(8);
  });

  it('--since a time: only later events, and only the issues they touch', async () => {
    const { store, events, issues } = await fixture();
    const p = exportPage(store.view, { sinceTs: T + 11 });
    expect(hexes(p.events)).toEqual(hexes([events[5]!, events[6]!, events[7]!]));
    expect(p.issues.map((i) => toHex(i.issueId)).sort()).toEqual(issues.map((i) => toHex(i)).sort());
    const q = exportPage(store.view, { sinceTs: T + 20 });
    expect(hexes(q.events)).toEqual(hexes([events[7]!]));
    expect(q.issues.map((i) => toHex(i.issueId))).toEqual([toHex(issues[1]!)]);
    expect(q.sinceLabel).toBe(`after ${new Date(T + 20).toISOString()}`);
  });

  it('--since an event id prefix: the events after it in projection order', async () => {
    const { store, events } = await fixture();
    const p = exportPage(store.view, { sinceEvent: toHex(events[4]!.eventId).slice(0, 10) });
    expect(hexes(p.events)).toEqual(hexes(events.slice(5, 8)));
    expect(p.since && toHex(p.since.eventId)).toBe(toHex(events[4]!.eventId));
    expect(p.sinceLabel).toBe(`after event ${toHex(events[4]!.eventId).slice(0, 12)}`);
    await expect(async () => exportPage(store.view, { sinceEvent: 'zz' })).rejects.toMatchObject({ code: 'invalid_args' });
    await expect(async () => exportPage(store.view, { sinceEvent: 'f'.repeat(64) })).rejects.toMatchObject({ code: 'not_found' });
  });

  it('writes Markdown with the issue, its comments quoted, and the events since the point', async () => {
    const { store, issues } = await fixture();
    const md = exportMarkdown(exportPage(store.view), { header: true, generatedTs: T + 100 });
    expect(md.startsWith(`# grite export\n\nGenerated ${new Date(T + 100).toISOString()} from WAL head \`${await store.wal.head()}\`.\n`)).toBe(true);
    expect(md).toContain(`## Crash on start [open]\n\n- **ID:** \`${toHex(issues[0]!)}\`\n- **Labels:** bug\n`);
    expect(md).toContain(`- **Depends on:** \`${toHex(issues[2]!).slice(0, 12)}\` Docs`);
    expect(md).toContain('It *crashes*.\n\nEvery time.');
    expect(md).toMatch(/### Comments\n\n> \*\*[0-9a-f]{8}\*\* at [0-9TZ:.-]+:\n> seen it\n> too\n/);
    expect(md).toContain('## Docs [closed]');
    expect(md).toContain('- **Links:** https://example.com/x (spec)');
    expect(md).not.toContain('orphan');
    const since = exportMarkdown(exportPage(store.view, { sinceTs: T + 20 }), { header: false, generatedTs: T });
    expect(since.startsWith('## Dark mode [open]')).toBe(true);
    expect(since).toMatch(/### Events after [0-9TZ:.-]+\n\n- [0-9TZ:.-]+ `[0-9a-f]{12}` [0-9a-f]{8} linked https:\/\/example.com\/x\n/);
  });

  it('says so when there are no issues', async () => {
    scratch = suite.scratch('grite-export-');
    const store = await Store.open({ commonDir: scratch.repo('a') });
    suite.track(store);
    const page = exportPage(store.view);
    expect(page).toMatchObject({ issues: [], events: [], walHead: null, nextCursor: null });
    expect(exportMarkdown(page, { header: true, generatedTs: 0 })).toBe('# grite export\n\nGenerated 1970-01-01T00:00:00.000Z from no WAL yet.\n\nNo issues.\n');
  });
});
