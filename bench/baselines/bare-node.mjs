// Baseline: a bare Node `http` server answering a 2 KB JSON body (DESIGN.md "Targets").
// It does the minimum every JSON API server does per request and nothing else: read the whole body,
// JSON.parse it, JSON.stringify a 2 KB answer that echoes the id. No framework, no routing, no storage.
// Usage: node bench/baselines/bare-node.mjs [port]; prints {"port": N} once listening.
import { createServer } from 'node:http'

const filler = 'x'.repeat(64)
const item = { id: 0 }
for (let i = 0; i < 26; i++) item[`field${i}`] = `${filler}-${i}`
const answerBytes = (id) => JSON.stringify({ result: { item: { ...item, id } }, time: { duration: 0 } })
if (Buffer.byteLength(answerBytes(12345)) < 2048) throw new Error('the answer must be about 2 KB')

const server = createServer((request, response) => {
  const chunks = []
  request.on('data', (chunk) => chunks.push(chunk))
  request.on('end', () => {
    let id = 0
    try {
      const body = chunks.length === 0 ? {} : JSON.parse(Buffer.concat(chunks).toString('utf8'))
      id = Number(body.id ?? 0)
    } catch {
      // a malformed body still gets the same answer
    }
    const text = answerBytes(id)
    response.writeHead(200, {
      'content-type': 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(text),
    })
    response.end(text)
  })
})
server.keepAliveTimeout = 60_000
server.listen(Number(process.argv[2] ?? 0), '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ port: server.address().port })}\n`)
})
process.on('SIGTERM', () => server.close(() => process.exit(0)))
