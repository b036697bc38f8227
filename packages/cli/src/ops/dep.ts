/** Dependencies between issues: add, remove, list, topological order. */
import * as Flags from '@oclif/core/flags';
import { DepDirection, DepType, IssueDepAddT, IssueDepListT, IssueDepRemoveT, IssueDepTopoT, StateFilter } from '@grite/protocol';
import { globalFlags } from '../flags.js';
import { renderIssueList, shortId, table } from '../render/human.js';
import { issueArg } from './issue.js';
import type { JsonData, StoreOp } from './op.js';

const DEP_TYPES: Record<string, DepType> = { blocks: DepType.blocks, depends_on: DepType.depends_on, related_to: DepType.related_to };

function edgeOp(action: 'add' | 'remove'): StoreOp {
  return {
    kind: 'store',
    id: `issue dep ${action}`,
    summary:
      action === 'add'
        ? 'Add a dependency: ID blocks TARGET (TARGET waits), ID depends_on TARGET (ID waits), or related_to.'
        : 'Remove a dependency edge.',
    examples: [`<%= config.bin %> issue dep ${action} 1a2b --target 3c4d --type blocks`],
    flags: {
      ...globalFlags,
      target: Flags.string({ description: 'The other issue (id prefix).', required: true }),
      type: Flags.string({ description: 'Edge type.', options: Object.keys(DEP_TYPES), default: 'blocks' }),
    },
    args: issueArg,
    write: true,
    build: (input) =>
      (action === 'add' ? (a: string, t: string, d: DepType, ts: bigint) => new IssueDepAddT(a, t, d, ts) : (a: string, t: string, d: DepType, ts: bigint) => new IssueDepRemoveT(a, t, d, ts))(
        input.args.id as string,
        input.flags.target as string,
        DEP_TYPES[input.flags.type as string]!,
        BigInt(input.now),
      ),
    human: (d) => `${d.action as string} ${shortId(d.issue_id)} ${d.dep_type as string} ${shortId(d.target)}\n`,
  };
}

export const depAdd = edgeOp('add');
export const depRemove = edgeOp('remove');

export const depList: StoreOp = {
  kind: 'store',
  id: 'issue dep list',
  summary: "List an issue's dependencies (--reverse: the issues that point at it).",
  flags: { ...globalFlags, reverse: Flags.boolean({ char: 'r', description: 'Edges of other issues pointing at this one.', default: false }) },
  args: issueArg,
  write: false,
  readOnly: true,
  build: (input) => new IssueDepListT(input.args.id as string, input.flags.reverse ? DepDirection.in_ : DepDirection.out),
  human(d: JsonData) {
    const deps = d.deps as { issue_id: string; dep_type: string; title: string; state: string }[];
    if (deps.length === 0) return 'no dependencies\n';
    return table(['ID', 'TYPE', 'STATE', 'TITLE'], deps.map((x) => [shortId(x.issue_id), x.dep_type, x.state, x.title]));
  },
};

export const depTopo: StoreOp = {
  kind: 'store',
  id: 'issue dep topo',
  summary: 'Issues in dependency order: what must be done first comes first (cycles last).',
  flags: { ...globalFlags, state: Flags.string({ char: 's', options: ['open', 'closed', 'all'], default: 'open', description: 'Which issues.' }) },
  args: {},
  write: false,
  readOnly: true,
  build: (input) =>
    new IssueDepTopoT(({ open: StateFilter.open, closed: StateFilter.closed, all: StateFilter.any } as Record<string, StateFilter>)[input.flags.state as string]),
  human: (d) => renderIssueList(d),
};
