// The floor for a hot command: a minimal Node client that sends one
// pre-encoded request frame over the daemon's Unix socket and prints the
// response length. No grite code is loaded. CommonJS, like grite's bin: an
// ES module entry would start Node's ESM loader (~5 ms) and flatter grite.
'use strict';
const { readFileSync } = require('node:fs');
const { connect } = require('node:net');

const [socketPath, framePath] = process.argv.slice(2);
const frame = readFileSync(framePath);
const sock = connect(socketPath, () => sock.write(frame));
let buf = Buffer.alloc(0);
sock.on('data', (c) => {
  buf = Buffer.concat([buf, c]);
  if (buf.length >= 4 && buf.length >= 4 + buf.readUInt32BE(0)) {
    process.stdout.write(`${buf.length}\n`);
    sock.end();
  }
});
