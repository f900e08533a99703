'use strict';
// Adds jobs in bulk (addBulk), each delayed so that it comes due at its own instant, with
// jobId = occurrence id and removeOnComplete: true (the seed's anti-duplicate scheme).
// Reads one job per stdin line: "<jobId> <task id> <due ms> <period ms>" (period 0: one-time;
// otherwise the first occurrence of a recurring task, which the worker re-adds).
//
//   node producer.js --port P --queue Q [--chunk 1000] [--at EPOCH_MS]
//
// --at: wait until that wall-clock instant before the first add (two producers racing start
// together despite Node's start-up time). Prints "ADDED <n> <first add ms> <last add ms>".
const readline = require('readline');
const { Queue } = require('bullmq');
const { args, required, connection } = require('./common');

async function main() {
  const opts = args(process.argv);
  const chunk = Number(opts.chunk || 1000);
  const jobs = [];
  const rl = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
  for await (const line of rl) {
    if (line.trim() === '') {
      continue;
    }
    const [jobId, i, due, period] = line.trim().split(' ');
    jobs.push({ jobId, i: Number(i), due: Number(due), period: Number(period) });
  }
  const queue = new Queue(required(opts, 'queue'), { connection: connection(opts) });
  await queue.waitUntilReady();
  if (opts.at !== undefined) {
    const wait = Number(opts.at) - Date.now();
    if (wait > 0) {
      await new Promise((r) => setTimeout(r, wait));
    }
  }
  const first = Date.now();
  for (let s = 0; s < jobs.length; s += chunk) {
    // The delay is taken per chunk, just before its add: the job's due instant is then off by
    // at most the add's own latency.
    const now = Date.now();
    await queue.addBulk(
      jobs.slice(s, s + chunk).map((j) => ({
        name: j.period > 0 ? 'r' : 'o',
        data: { i: j.i, due: j.due, first: j.due, period: j.period },
        opts: { jobId: j.jobId, delay: Math.max(0, j.due - now), removeOnComplete: true },
      })),
    );
  }
  const last = Date.now();
  await queue.close();
  process.stdout.write(`ADDED ${jobs.length} ${first} ${last}\n`);
}

main().catch((e) => {
  process.stderr.write(`producer failed: ${e && e.stack ? e.stack : e}\n`);
  process.exit(1);
});
