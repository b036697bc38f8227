/** Local-file commands: init, actors, config. They never touch the event log. */
import * as Args from '@oclif/core/args';
import * as Flags from '@oclif/core/flags';
import { globalFlags } from '../flags.js';
import { shortId, table } from '../render/human.js';
import type { JsonData, LocalOp, OpInput } from './op.js';

const local = async (): Promise<typeof import('@grite/daemon/local')> => import('@grite/daemon/local');

function who(input: OpInput): { actor?: string; dataDir?: string } {
  const out: { actor?: string; dataDir?: string } = {};
  if (input.flags.actor !== undefined) out.actor = input.flags.actor as string;
  if (input.flags['data-dir'] !== undefined) out.dataDir = input.flags['data-dir'] as string;
  return out;
}

interface ActorJson {
  actor_id: string;
  label: string | null;
  default: boolean;
  data_dir: string;
}
const actorLine = (a: ActorJson): string => `${a.actor_id}${a.label ? `  ${a.label}` : ''}${a.default ? '  (default)' : ''}\n`;

export const init: LocalOp = {
  kind: 'local',
  id: 'init',
  summary: "Set up grite in this repository: an actor, config, and a '## Grite' section in AGENTS.md.",
  flags: {
    ...globalFlags,
    label: Flags.string({ description: 'Label of the actor, when one is created.' }),
    'agents-md': Flags.boolean({ description: 'Write or extend the ## Grite section of AGENTS.md.', allowNo: true, default: true }),
  },
  args: {},
  run: async (input) =>
    (await local()).initCommand(input.cwd, {
      agentsMd: Boolean(input.flags['agents-md']),
      ...(input.flags.label !== undefined ? { label: input.flags.label as string } : {}),
    }),
  human: (d: JsonData) =>
    d.changed ? `initialised grite in ${String(d.grite_dir)} (actor ${shortId(d.actor_id)})\n` : `already initialised (actor ${shortId(d.actor_id)})\n`,
};

export const actorInit: LocalOp = {
  kind: 'local',
  id: 'actor init',
  summary: 'Create a new actor (give each agent its own).',
  flags: {
    ...globalFlags,
    label: Flags.string({ description: 'A name for the actor, e.g. the agent.' }),
    default: Flags.boolean({ description: 'Make it the repository default.', default: false }),
  },
  args: {},
  run: async (input) =>
    (await local()).actorInit(input.cwd, {
      makeDefault: Boolean(input.flags.default),
      ...(input.flags.label !== undefined ? { label: input.flags.label as string } : {}),
    }),
  human: (d) => actorLine(d.actor as ActorJson),
};

export const actorList: LocalOp = {
  kind: 'local',
  id: 'actor list',
  summary: 'List the actors of this repository.',
  flags: { ...globalFlags },
  args: {},
  run: async (input) => (await local()).actorList(input.cwd),
  human(d) {
    const actors = d.actors as ActorJson[];
    if (actors.length === 0) return 'no actors (grite init creates one)\n';
    return table(['ACTOR', 'LABEL', 'DEFAULT'], actors.map((a) => [a.actor_id, a.label ?? '', a.default ? 'yes' : '']));
  },
};

export const actorShow: LocalOp = {
  kind: 'local',
  id: 'actor show',
  summary: 'Show an actor (default: the current one).',
  flags: { ...globalFlags },
  args: { id: Args.string({ description: 'Actor id or unique prefix.' }) },
  run: async (input) => (await local()).actorShow(input.cwd, input.args.id as string | undefined, who(input)),
  human: (d) => actorLine(d.actor as ActorJson),
};

export const actorCurrent: LocalOp = {
  kind: 'local',
  id: 'actor current',
  summary: 'Show which actor this command line acts as, and why.',
  flags: { ...globalFlags },
  args: {},
  run: async (input) => (await local()).actorCurrent(input.cwd, who(input)),
  human: (d) => `${actorLine(d.actor as ActorJson).trimEnd()}  [${String(d.source)}]\n`,
};

export const actorUse: LocalOp = {
  kind: 'local',
  id: 'actor use',
  summary: 'Make an actor the repository default.',
  flags: { ...globalFlags },
  args: { id: Args.string({ description: 'Actor id or unique prefix.', required: true }) },
  run: async (input) => (await local()).actorUse(input.cwd, input.args.id as string),
  human: (d) => `default actor: ${actorLine(d.actor as ActorJson)}`,
};

export const configGet: LocalOp = {
  kind: 'local',
  id: 'config get',
  summary: 'Show a config key, or the whole config.',
  flags: { ...globalFlags },
  args: { key: Args.string({ description: 'A dotted key, e.g. lock_policy.' }) },
  run: async (input) => (await local()).configGet(input.cwd, input.args.key as string | undefined),
  human: (d) => (d.key !== undefined ? `${typeof d.value === 'object' ? JSON.stringify(d.value) : String(d.value)}\n` : `${JSON.stringify(d.config, null, 2)}\n`),
};

export const configSet: LocalOp = {
  kind: 'local',
  id: 'config set',
  summary: 'Set a config key (unknown keys are kept; the Rust tool reads the same file).',
  flags: { ...globalFlags },
  args: {
    key: Args.string({ description: 'A dotted key, e.g. lock_policy.', required: true }),
    value: Args.string({ description: 'The value.', required: true }),
  },
  run: async (input) => (await local()).configSet(input.cwd, input.args.key as string, input.args.value as string),
  human: (d) => `${String(d.key)} = ${JSON.stringify(d.value)}\n`,
};
