/**
 * The batch-HTTP reference: what a small Node service calling ONNX Runtime does. A bare node:http
 * server that parses `{"rows": [[...], ...]}`, runs the model exported by mloop (one intra-op
 * thread: the server is pinned to one CPU, as every server of the bench) and answers each row's
 * label and decision value. No validation, logging, ids or metrics: a floor, not a peer service.
 * Usage: node --import tsx bench/servers/onnx-http.ts PORT MODEL.onnx
 */
import { createServer } from 'node:http';
import * as ort from 'onnxruntime-node';

const [port, model] = [Number(process.argv[2]), process.argv[3]];
const session = await ort.InferenceSession.create(model, { intraOpNumThreads: 1, interOpNumThreads: 1 });

createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    void (async () => {
      try {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { rows?: number[][]; row?: number[] };
        const rows = body.rows ?? (body.row ? [body.row] : []);
        const cols = rows[0]?.length ?? 0;
        const x = new Float32Array(rows.length * cols);
        rows.forEach((r, i) => x.set(r, i * cols));
        const out = await session.run({ input: new ort.Tensor('float32', x, [rows.length, cols]) });
        const labels = out.label.data as string[];
        const decision = out.decision.data as Float32Array;
        const text = JSON.stringify({ predictions: labels.map((label, i) => ({ label, decision: decision[i] })) });
        res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
        res.end(text);
      } catch (error) {
        res.writeHead(400, { 'content-type': 'text/plain' });
        res.end(String(error));
      }
    })();
  });
}).listen(port, '127.0.0.1');

for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(0));
