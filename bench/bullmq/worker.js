'use strict';
// One BullMQ worker with a no-op processor that reports each execution to the Java bench on
// stdout as "<task id> <due ms> <wall-clock ms>". A recurring job adds its next occurrence
// itself (the next grid instant after now), as a producer re-adding the next occurrence would.
//
//   node worker.js --port P --queue Q --concurrency C [--limit-max M --limit-ms D]
//
// Prints READY once connected; on SIGTERM closes the worker (waiting for active jobs), flushes
// and exits 0.
const { Queue, Worker } = require('bullmq');
const { args, required, connection } = require('./common');

const opts = args(process.argv);
const conn = connection(opts);
const name = required(opts, 'queue');
const concurrency = Number(required(opts, 'concurrency'));
const limiter =
  opts['limit-max'] !== undefined
    ? { max: Number(opts['limit-max']), duration: Number(required(opts, 'limit-ms')) }
    : undefined;

// Lines are batched: a write per job would cost a syscall inside the measured path, while the
// wall clock of each execution is read before it is queued.
let pending = [];
function flush() {
  if (pending.length > 0) {
    process.stdout.write(pending.join(''));
    pending = [];
  }
}
const flusher = setInterval(flush, 10);

const queue = new Queue(name, { connection: conn });

async function processor(job) {
  const now = Date.now();
  const d = job.data;
  pending.push(`${d.i} ${d.due} ${now}\n`);
  if (d.period > 0) {
    const k = Math.floor((Date.now() - d.first) / d.period) + 1;
    const next = d.first + Math.max(1, k) * d.period;
    await queue.add(
      'r',
      { i: d.i, due: next, first: d.first, period: d.period },
      { jobId: `s-${d.i}-${next}`, delay: Math.max(0, next - Date.now()), removeOnComplete: true },
    );
  }
}

const worker = new Worker(name, processor, { connection: conn, concurrency, limiter });
worker.on('error', (e) => process.stderr.write(`worker error: ${e}\n`));
worker.on('failed', (job, e) => process.stderr.write(`job ${job && job.id} failed: ${e}\n`));

let closing = false;
async function shutdown() {
  if (closing) {
    return;
  }
  closing = true;
  await worker.close();
  await queue.close();
  clearInterval(flusher);
  flush();
  process.stdout.write('CLOSED\n', () => process.exit(0));
}
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);

Promise.all([worker.waitUntilReady(), queue.waitUntilReady()])
  .then(() => process.stdout.write('READY\n'))
  .catch((e) => {
    process.stderr.write(`worker could not start: ${e}\n`);
    process.exit(1);
  });
