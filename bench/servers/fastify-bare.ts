/**
 * For information: a bare Fastify route (JSON body parsed, no schema, no hooks, no logger) that
 * answers the same constant body as node-http.ts. Usage: node --import tsx bench/servers/fastify-bare.ts PORT
 */
import Fastify from 'fastify';
import { constantAnswer } from './constant-answer.js';

const port = Number(process.argv[2]);
const fastify = Fastify({ logger: false });
fastify.post('/api/v1/predict', async (_request, reply) => reply.type('application/json; charset=utf-8').send(constantAnswer));
await fastify.listen({ host: '127.0.0.1', port });

for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(0));
