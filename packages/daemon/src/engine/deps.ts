/**
 * Shared parts of the dependency commands: resolving both ends, refusing a
 * self-dependency, and naming the cycle an edge would close.
 *
 * Waiting (DESIGN.md section 3): `X blocks T` means T waits for X; `X
 * depends_on T` means X waits for T; `related_to` never makes anyone wait.
 * An issue N therefore waits for the targets of its own `depends_on` edges
 * and for the sources of `blocks` edges that name it.
 */
import { bytesEqual, fromHex, toHex, type DepType as CoreDepType } from '@grite/core';
import type { EngineContext } from './context.js';
import { invalidArgs } from './errors.js';
import { resolveIssue } from './validate.js';

const FULL_ID = /^[0-9a-fA-F]{32}$/;

export interface DepEnds {
  issueId: Uint8Array;
  target: Uint8Array;
}

/**
 * Resolves `issue` and `target`. With `allowMissingTarget`, a full 32-hex
 * target that names no issue is accepted as is (an edge can point at an
 * issue this replica has not seen yet, and must still be removable).
 */
export function resolveEnds(ctx: EngineContext, issueRef: string | null, targetRef: string | null, allowMissingTarget: boolean): DepEnds {
  const issueId = resolveIssue(ctx, issueRef);
  let target: Uint8Array;
  try {
    target = resolveIssue(ctx, targetRef, 'target');
  } catch (e) {
    const code = (e as { code?: unknown }).code;
    if (!allowMissingTarget || code !== 'not_found' || targetRef === null || !FULL_ID.test(targetRef.trim())) throw e;
    target = fromHex(targetRef.trim().toLowerCase());
  }
  if (bytesEqual(issueId, target)) {
    throw invalidArgs('an issue cannot depend on itself', { details: { issue: toHex(issueId) } });
  }
  return { issueId, target };
}

/** The issues `node` waits for. */
function waitsFor(ctx: EngineContext, node: Uint8Array): Uint8Array[] {
  const out = ctx.store.view.listDeps(node, 'out').filter((d) => d.depType === 'depends_on').map((d) => d.issueId);
  const inn = ctx.store.view.listDeps(node, 'in').filter((d) => d.depType === 'blocks').map((d) => d.issueId);
  return [...out, ...inn];
}

/**
 * The cycle of waiting that `from <depType> to` would close, as the list of
 * issues starting and ending with the new edge's waiter, each waiting for
 * the next; null when it closes none.
 */
export function cycleClosedBy(ctx: EngineContext, from: Uint8Array, to: Uint8Array, depType: CoreDepType): Uint8Array[] | null {
  if (!ctx.store.view.wouldCreateCycle(from, to, depType)) return null;
  const waiter = depType === 'blocks' ? to : from;
  const waitee = depType === 'blocks' ? from : to;
  // Breadth-first from the waitee along "waits for" arcs, back to the waiter.
  const goal = toHex(waiter);
  const parent = new Map<string, string | null>([[toHex(waitee), null]]);
  const ids = new Map<string, Uint8Array>([[toHex(waitee), waitee]]);
  const queue: Uint8Array[] = [waitee];
  let found = false;
  for (let i = 0; i < queue.length && !found; i++) {
    const at = toHex(queue[i]!);
    for (const next of waitsFor(ctx, queue[i]!)) {
      const hex = toHex(next);
      if (parent.has(hex)) continue;
      parent.set(hex, at);
      ids.set(hex, next);
      if (hex === goal) {
        found = true;
        break;
      }
      queue.push(next);
    }
  }
  const path: Uint8Array[] = [waiter];
  if (found) {
    const back: Uint8Array[] = [];
    for (let at: string | null = goal; at !== null; at = parent.get(at) ?? null) back.push(ids.get(at)!);
    back.reverse(); // waitee ... waiter
    path.push(...back);
  } else {
    path.push(waitee, waiter);
  }
  return path;
}

/** invalid_args naming the cycle. */
export function cycleError(cycle: readonly Uint8Array[]): Error {
  const shown = cycle.map((id) => toHex(id).slice(0, 8)).join(' -> ');
  return invalidArgs(`refused: this dependency would close a cycle of waiting: ${shown} (each waits for the next)`, {
    hint: 'remove one of the edges of the cycle first, or use related_to, which never makes anyone wait',
    details: { cycle: cycle.map(toHex) },
  });
}
