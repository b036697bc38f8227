// A stdio echo: answers each JSON line with a small JSON line, doing nothing
// else. What two pipe hops (agent -> session -> agent) cost on their own.
process.stdin.setEncoding('utf8');
let buf = '';
process.stdin.on('data', (chunk) => {
  buf += chunk;
  let nl;
  while ((nl = buf.indexOf('\n')) >= 0) {
    const req = JSON.parse(buf.slice(0, nl));
    buf = buf.slice(nl + 1);
    process.stdout.write(`${JSON.stringify({ id: req.id, ok: true })}\n`);
  }
});
