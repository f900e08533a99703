'use strict';
// Argument parsing and the Redis connection shared by worker.js and producer.js.

/** --name value pairs into an object; every value a string. */
function args(argv) {
  const out = {};
  for (let i = 2; i < argv.length; i += 2) {
    if (!argv[i].startsWith('--') || i + 1 >= argv.length) {
      throw new Error(`bad argument near '${argv[i]}'`);
    }
    out[argv[i].slice(2)] = argv[i + 1];
  }
  return out;
}

function required(opts, name) {
  if (opts[name] === undefined) {
    throw new Error(`--${name} is required`);
  }
  return opts[name];
}

/** Loopback only: the bench's own redis-server. */
function connection(opts) {
  return { host: '127.0.0.1', port: Number(required(opts, 'port')) };
}

module.exports = { args, required, connection };
