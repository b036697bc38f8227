// The benchmark's server process: one Node process hosting the four
// endpoints compared (raw echo, grite protocol, length-prefixed JSON over a
// Unix socket, JSON over node:http keep-alive). Prints one JSON line with
// the endpoints when ready; exits when its stdin closes.

import { createServer as createHttpServer } from 'node:http';
import { createServer } from 'node:net';
import { join } from 'node:path';
import * as P from '../../packages/protocol/dist/index.js';
import { rawFrames, SHOW } from './common.mjs';

const dir = process.argv[2];
const listen = (server, where) => new Promise((resolve) => server.listen(where, () => resolve(server.address())));

// Raw echo: answers every request-sized run of bytes with the response bytes.
const { req: rawReq, resp: rawResp } = rawFrames();
const raw = createServer((sock) => {
  let pending = 0;
  sock.on('data', (chunk) => {
    pending += chunk.length;
    while (pending >= rawReq.length) {
      pending -= rawReq.length;
      sock.write(rawResp);
    }
  });
  sock.on('error', () => {});
});

// Every server answers with a result prepared once (as a warm daemon answers
// an unchanged issue): the protocol with a CachedResponse (copy + request_id
// patch), JSON with the data's text spliced into each envelope. One more
// protocol endpoint builds the IssueShowResult on every request, to show
// the cost of building. Protocol handlers answer synchronously (allowed for
// answers from warm in-memory state); every request is still verified.
const issueShow = new P.IssueShow();
const cached = new P.CachedResponse(SHOW.object);
function protoServer(answer) {
  return createServer((sock) => {
    const conn = new P.ServerConnection(sock, (req) => {
      req.command(issueShow).issue();
      return answer(req.requestIdArray());
    });
    conn.onError(() => {});
  });
}
const proto = protoServer((id) => cached.encode(id));
const protoBuild = protoServer((id) => P.encodeResponse(id, SHOW.object, { sizeHint: 4096 }));

const dataJson = JSON.stringify(SHOW.json);
const jsonAnswer = (requestId) =>
  `{"schema_version":1,"request_id":${JSON.stringify(requestId)},"ok":true,"data":${dataJson}}`;

// Length-prefixed JSON over a Unix socket.
const json = createServer((sock) => {
  const dec = new P.FrameDecoder({
    onFrame: (frame) => {
      const req = JSON.parse(Buffer.from(frame.buffer, frame.byteOffset, frame.length).toString('utf8'));
      const body = Buffer.from(jsonAnswer(req.request_id));
      const head = Buffer.allocUnsafe(4);
      head.writeUInt32BE(body.length, 0);
      sock.write(Buffer.concat([head, body]));
    },
    onError: () => sock.destroy(),
  });
  sock.on('data', (c) => dec.push(c));
  sock.on('error', () => {});
});

// JSON over node:http, keep-alive.
const http = createHttpServer({ keepAliveTimeout: 60_000 }, (req, res) => {
  const parts = [];
  req.on('data', (c) => parts.push(c));
  req.on('end', () => {
    const body = JSON.parse(Buffer.concat(parts).toString('utf8'));
    const out = jsonAnswer(body.request_id);
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(out) });
    res.end(out);
  });
});

const endpoints = {
  raw: join(dir, 'raw.sock'),
  proto: join(dir, 'proto.sock'),
  protoBuild: join(dir, 'proto-build.sock'),
  json: join(dir, 'json.sock'),
};
await listen(raw, endpoints.raw);
await listen(proto, endpoints.proto);
await listen(protoBuild, endpoints.protoBuild);
await listen(json, endpoints.json);
const addr = await listen(http, { host: '127.0.0.1', port: 0 });
endpoints.http = `http://127.0.0.1:${addr.port}/ipc`;
process.stdout.write(JSON.stringify({ ready: true, endpoints }) + '\n');

// Stop when the parent goes away.
process.stdin.resume();
process.stdin.on('end', () => process.exit(0));
process.stdin.on('close', () => process.exit(0));
