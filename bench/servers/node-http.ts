/**
 * The ceiling: a bare node:http server that reads the POST body and answers a constant JSON body
 * of the size of mloop's answer. Nothing can answer the same request much faster on Node.
 * Usage: node --import tsx bench/servers/node-http.ts PORT
 */
import { createServer } from 'node:http';
import { constantAnswer } from './constant-answer.js';

const port = Number(process.argv[2]);
const body = Buffer.from(constantAnswer);

createServer((req, res) => {
  req.on('data', () => undefined);
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': body.length });
    res.end(body);
  });
}).listen(port, '127.0.0.1');

for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(0));
