/** Fresh ids: `issue_id` and `actor_id` are 16 random bytes (DESIGN.md section 2). */
import { randomBytes } from 'node:crypto';

export const ISSUE_ID_BYTES = 16;
export const ACTOR_ID_BYTES = 16;
export const EVENT_ID_BYTES = 32;

export function newIssueId(): Uint8Array {
  return new Uint8Array(randomBytes(ISSUE_ID_BYTES));
}

export function newActorId(): Uint8Array {
  return new Uint8Array(randomBytes(ACTOR_ID_BYTES));
}
