/** Store maintenance: db stats, rebuild. */
import * as Flags from '@oclif/core/flags';
import { DbStatsT, RebuildT } from '@grite/protocol';
import { globalFlags } from '../flags.js';
import type { StoreOp } from './op.js';

export const dbStats: StoreOp = {
  kind: 'store',
  id: 'db stats',
  summary: 'Show the materialized view: path, size, event and issue counts, WAL head.',
  flags: { ...globalFlags },
  args: {},
  write: false,
  readOnly: true,
  build: () => new DbStatsT(),
};

export const rebuild: StoreOp = {
  kind: 'store',
  id: 'rebuild',
  summary: 'Rebuild the materialized view from the refs (the log is never changed).',
  flags: { ...globalFlags, 'from-snapshot': Flags.boolean({ description: 'Start from the newest snapshot, then apply later commits.', default: false }) },
  args: {},
  write: false,
  build: (input) => new RebuildT(Boolean(input.flags['from-snapshot'])),
  human: (d) => `rebuilt: ${String(d.event_count)} events, head ${String(d.wal_head ?? '(none)').slice(0, 12)}\n`,
};
