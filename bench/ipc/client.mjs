// The benchmark's client process: measures the endpoints of server.mjs side
// by side (interleaved rounds, so drift hits all alike), then the decoding
// of a 10,000-issue list, and prints one JSON document of results.

import { Agent, request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import * as P from '../../packages/protocol/dist/index.js';
import { jsonFrame, rawFrames, showRequest, showRequestJson, SHOW } from './common.mjs';
import { listData } from './data.mjs';

const endpoints = JSON.parse(process.argv[2]);
const quick = process.argv.includes('--quick');
const SEQ_PER_ROUND = quick ? 300 : 2000;
const ROUNDS = quick ? 2 : 5;
const INFLIGHT = 16;
const TPUT_PER_ROUND = quick ? 2000 : 10000;
const WARMUP = quick ? 500 : 3000;

const connected = (sock) => new Promise((resolve, reject) => {
  sock.once('connect', resolve);
  sock.once('error', reject);
});

async function rawClient() {
  const { req, resp } = rawFrames();
  const sock = connect(endpoints.raw);
  await connected(sock);
  sock.setNoDelay(true);
  let got = 0;
  const waiters = [];
  sock.on('data', (c) => {
    got += c.length;
    while (got >= resp.length && waiters.length > 0) {
      got -= resp.length;
      waiters.shift()();
    }
  });
  return {
    name: 'raw Unix-socket echo',
    once: () => new Promise((resolve) => {
      waiters.push(resolve);
      sock.write(req);
    }),
    close: () => sock.destroy(),
  };
}

async function protoClient(endpoint = endpoints.proto, name = 'grite protocol (FlatBuffers)') {
  const conn = await P.ClientConnection.connect(endpoint);
  const show = new P.IssueShowResult();
  const detail = new P.IssueDetail();
  return {
    name,
    once: async () => {
      const resp = await conn.request(showRequest());
      if (!resp.ok()) throw new Error('not ok');
      resp.result(show).issue(detail).title();
    },
    close: () => conn.dispose(),
  };
}

async function jsonClient() {
  const sock = connect(endpoints.json);
  await connected(sock);
  sock.setNoDelay(true);
  const pending = new Map();
  let next = 0;
  const dec = new P.FrameDecoder({
    onFrame: (frame) => {
      const msg = JSON.parse(Buffer.from(frame.buffer, frame.byteOffset, frame.length).toString('utf8'));
      const r = pending.get(msg.request_id);
      pending.delete(msg.request_id);
      r(msg);
    },
    onError: (e) => { throw e; },
  });
  sock.on('data', (c) => dec.push(c));
  return {
    name: 'length-prefixed JSON, Unix socket',
    once: () => new Promise((resolve) => {
      const id = String(next++);
      pending.set(id, (msg) => {
        if (!msg.ok) throw new Error('not ok');
        void msg.data.issue.title;
        resolve();
      });
      sock.write(jsonFrame(showRequestJson(id)));
    }),
    close: () => sock.destroy(),
  };
}

async function httpClient() {
  const agent = new Agent({ keepAlive: true, maxSockets: INFLIGHT });
  const url = new URL(endpoints.http);
  let next = 0;
  return {
    name: 'JSON over node:http keep-alive',
    once: () => new Promise((resolve, reject) => {
      const body = JSON.stringify(showRequestJson(String(next++)));
      const req = httpRequest(
        { agent, host: url.hostname, port: url.port, path: url.pathname, method: 'POST',
          headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
        (res) => {
          const parts = [];
          res.on('data', (c) => parts.push(c));
          res.on('end', () => {
            const msg = JSON.parse(Buffer.concat(parts).toString('utf8'));
            if (!msg.ok) reject(new Error('not ok'));
            void msg.data.issue.title;
            resolve();
          });
        },
      );
      req.on('error', reject);
      req.end(body);
    }),
    close: () => agent.destroy(),
  };
}

async function sequential(t, n, lat) {
  for (let i = 0; i < n; i++) {
    const t0 = process.hrtime.bigint();
    await t.once();
    lat.push(Number(process.hrtime.bigint() - t0));
  }
}

async function throughput(t, total) {
  let left = total;
  const t0 = process.hrtime.bigint();
  await Promise.all(Array.from({ length: INFLIGHT }, async () => {
    while (left-- > 0) await t.once();
  }));
  return total / (Number(process.hrtime.bigint() - t0) / 1e9);
}

const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function roundTrips() {
  const transports = [
    await rawClient(),
    await protoClient(),
    await jsonClient(),
    await httpClient(),
    await protoClient(endpoints.protoBuild, 'protocol, result built per request'),
  ];
  for (const t of transports) await sequential(t, WARMUP, []);
  // Sequential round trips interleaved one by one, so load from anything
  // else on the machine falls on every transport alike.
  const lat = transports.map(() => []);
  for (let n = 0; n < SEQ_PER_ROUND * ROUNDS; n++) {
    for (let i = 0; i < transports.length; i++) await sequential(transports[i], 1, lat[i]);
  }
  const tput = transports.map(() => []);
  for (let r = 0; r < ROUNDS * 4; r++) {
    for (let i = 0; i < transports.length; i++) tput[i].push(await throughput(transports[i], TPUT_PER_ROUND / 4));
  }
  const out = transports.map((t, i) => {
    const s = lat[i].sort((a, b) => a - b);
    return { name: t.name, p50_us: pct(s, 50) / 1000, p99_us: pct(s, 99) / 1000, rps_16: median(tput[i]) };
  });
  for (const t of transports) t.close();
  return out;
}

function timeOp(fn, iterations) {
  for (let i = 0; i < 5; i++) fn();
  const xs = [];
  for (let i = 0; i < iterations; i++) {
    const t0 = process.hrtime.bigint();
    fn();
    xs.push(Number(process.hrtime.bigint() - t0));
  }
  return median(xs) / 1e6; // ms
}

function listReads() {
  const N = 10_000;
  const data = listData(N);
  const fb = P.encodeResponse(P.newRequestId(), data.object, { sizeHint: 2 << 20 }).slice();
  const jsonText = JSON.stringify({ schema_version: 1, ok: true, data: data.json });
  const list = new P.IssueListResult();
  const s = new P.IssueSummary();
  let sink = 0;

  const fbOne = () => {
    const r = P.decodeResponse(fb).result(list);
    for (let i = 0, n = r.issuesLength(); i < n; i++) sink += r.issues(i, s).commentCount();
  };
  const fbAll = () => {
    const r = P.decodeResponse(fb).result(list);
    for (let i = 0, n = r.issuesLength(); i < n; i++) {
      const x = r.issues(i, s);
      sink += x.issueIdArray().length + x.title().length + x.state() + Number(x.updatedTs() - x.createdTs()) + x.commentCount();
      for (let j = 0, m = x.labelsLength(); j < m; j++) sink += x.labels(j).length;
      for (let j = 0, m = x.assigneesLength(); j < m; j++) sink += x.assignees(j).length;
    }
  };
  const jsonOne = () => {
    const d = JSON.parse(jsonText).data;
    for (const x of d.issues) sink += x.comment_count;
  };
  const jsonAll = () => {
    const d = JSON.parse(jsonText).data;
    for (const x of d.issues) {
      sink += x.issue_id.length + x.title.length + x.state.length + (x.updated_ts - x.created_ts) + x.comment_count;
      for (const l of x.labels) sink += l.length;
      for (const a of x.assignees) sink += a.length;
    }
  };
  const iters = quick ? 10 : 40;
  const out = {
    issues: N,
    fb_bytes: fb.length + 4,
    json_bytes: Buffer.byteLength(jsonText) + 4,
    fb_one_ms: timeOp(fbOne, iters * 5),
    json_one_ms: timeOp(jsonOne, iters),
    fb_all_ms: timeOp(fbAll, iters),
    json_all_ms: timeOp(jsonAll, iters),
  };
  out.sink = sink > 0;
  return out;
}

function wireSizes() {
  const { req, resp } = rawFrames();
  return {
    proto_request: req.length,
    proto_response: resp.length,
    json_request: jsonFrame(showRequestJson('0123456789abcdef0123456789abcdef')).length,
    json_response: jsonFrame({ schema_version: 1, request_id: '0123456789abcdef0123456789abcdef', ok: true, data: SHOW.json }).length,
  };
}

const result = { roundTrips: await roundTrips(), list: listReads(), wire: wireSizes(), node: process.version };
process.stdout.write(JSON.stringify(result) + '\n');
process.exit(0);
