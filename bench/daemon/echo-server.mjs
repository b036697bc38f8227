// A raw Unix-socket server: answers every length-prefixed frame it reads
// with one fixed frame (the bytes of a real daemon response), doing no other
// work. The floor a daemon round trip is compared against.
// Usage: node echo-server.mjs <socket path> <reply file>; prints "ready".

import { readFileSync, unlinkSync } from 'node:fs';
import { createServer } from 'node:net';

const [socketPath, replyFile] = process.argv.slice(2);
const reply = readFileSync(replyFile);
try {
  unlinkSync(socketPath);
} catch {}
const server = createServer((s) => {
  s.setNoDelay(true);
  let buf = Buffer.alloc(0);
  s.on('data', (chunk) => {
    buf = buf.length === 0 ? chunk : Buffer.concat([buf, chunk]);
    let n = 0;
    while (buf.length >= 4) {
      const len = buf.readUInt32BE(0);
      if (buf.length < 4 + len) break;
      buf = buf.subarray(4 + len);
      n++;
    }
    for (let i = 0; i < n; i++) s.write(reply);
  });
  s.on('error', () => {});
});
server.listen(socketPath, () => console.log('ready'));
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
