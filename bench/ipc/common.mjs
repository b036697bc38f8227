// Shared by the benchmark's server and client processes: the request both
// sides agree on, and its JSON twin.

import * as P from '../../packages/protocol/dist/index.js';
import { showData } from './data.mjs';

export const REPO = '/home/dev/project/.git';
export const SHOW = showData();

/** A protocol IssueShow request (fresh request_id each call). */
export function showRequest() {
  return P.encodeRequest({ repo: REPO, command: new P.IssueShowT(SHOW.issueRef) });
}

/** The JSON twin of showRequest(). */
export function showRequestJson(requestId) {
  return { schema_version: 1, request_id: requestId, repo: REPO, command: { IssueShow: { issue: SHOW.issueRef } } };
}

/** Length-prefixed (u32 big-endian) JSON frame. */
export function jsonFrame(obj) {
  const body = Buffer.from(JSON.stringify(obj));
  const out = Buffer.allocUnsafe(4 + body.length);
  out.writeUInt32BE(body.length, 0);
  body.copy(out, 4);
  return out;
}

/** The frames the raw echo exchanges: byte for byte a protocol request and response. */
export function rawFrames() {
  const req = P.encodeFrame(showRequest());
  const resp = P.encodeFrame(P.encodeResponse(P.newRequestId(), SHOW.object));
  return { req, resp };
}
