'use strict';
// The relay a Node.js developer would write with the ws package: protocol v1 hello/welcome,
// routing by merchant_id, acks with seq, the order forwarded verbatim (its raw text sliced out
// of the publish, never re-serialised), each delivery frame encoded once into a Buffer and
// shared by every subscriber, in-memory history with `since` replay, POST /publish. No durability, no auth:
// the benchmark's comparison peer, not a product. Usage: node server.js --port 8080

const http = require('node:http');
const crypto = require('node:crypto');
const { WebSocketServer } = require('ws');

const port = Number(argument('--port') ?? 8080);
const HISTORY_LIMIT = 100_000;
const HANDSHAKE_TIMEOUT_MS = 10_000;
const PING_INTERVAL_MS = 15_000;
const epoch = 'e-' + crypto.randomBytes(4).toString('hex');

let lastSeq = 0;
let nextConnection = 0;
const history = []; // { seq, merchantId, frame }, oldest first
const seqById = new Map(); // idempotency keys of the orders still in history
const everyMerchant = new Set();
const byMerchant = new Map(); // merchant id -> Set of sockets

const MAX_BODY_BYTES = 65_536;

const server = http.createServer((req, res) => {
  if (req.method === 'POST' && req.url === '/publish') return publishOverHttp(req, res);
  res.writeHead(req.url === '/healthz' ? 200 : 426, { 'content-type': 'text/plain' });
  res.end(req.url === '/healthz' ? 'ok\n' : 'WebSocket here\n');
});

// POST /publish as protocol v1 has it: the body is the order, Idempotency-Key is the id.
function publishOverHttp(req, res) {
  const chunks = [];
  let size = 0;
  req.on('data', (chunk) => {
    size += chunk.length;
    if (size <= MAX_BODY_BYTES) chunks.push(chunk);
  });
  req.on('end', () => {
    const answer = (status, body) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (size > MAX_BODY_BYTES) return answer(413, { title: 'too_large' });
    const text = Buffer.concat(chunks).toString();
    let order;
    try {
      order = JSON.parse(text);
    } catch {
      return answer(400, { title: 'bad_json' });
    }
    if (order === null || typeof order !== 'object' || Array.isArray(order)) return answer(400, { title: 'bad_frame' });
    const key = req.headers['idempotency-key'];
    const { seq, duplicate } = accept(order, text, typeof key === 'string' ? key : undefined);
    answer(200, { seq, duplicate });
  });
}
const wss = new WebSocketServer({ server });

wss.on('connection', (ws) => {
  ws.id = 'c-' + (++nextConnection).toString(16);
  ws.isAlive = true;
  ws.on('pong', () => { ws.isAlive = true; });
  const handshakeTimer = setTimeout(() => refuse(ws, 'handshake_timeout', 'No hello within 10 s.', 1008), HANDSHAKE_TIMEOUT_MS);
  ws.on('message', (data, isBinary) => {
    if (!ws.role) {
      clearTimeout(handshakeTimer);
      return hello(ws, data, isBinary);
    }
    if (isBinary) return refuse(ws, 'bad_frame', 'Binary frames are not accepted.', 1003);
    const text = data.toString();
    let message;
    try {
      message = JSON.parse(text);
    } catch {
      return sendError(ws, 'bad_json', 'Not JSON.');
    }
    if (message === null || typeof message !== 'object' || Array.isArray(message) || typeof message.type !== 'string') {
      return sendError(ws, 'bad_frame', 'A frame is a JSON object with a string type.');
    }
    switch (message.type) {
      case 'publish':
        return ws.role === 'publisher' ? publish(ws, message, text) : sendError(ws, 'not_allowed', 'Subscribers cannot publish.', message.id);
      case 'ping':
        return ws.send('{"type":"pong"}');
      case 'ack':
        return; // confirmations are not tracked by this peer
      default:
        return sendError(ws, 'unknown_type', `Unknown frame type "${message.type}".`, message.id);
    }
  });
  ws.on('close', () => {
    clearTimeout(handshakeTimer);
    unsubscribe(ws);
  });
  ws.on('error', () => {});
});

function hello(ws, data, isBinary) {
  let message;
  try {
    message = isBinary ? null : JSON.parse(data.toString());
  } catch {
    message = null;
  }
  if (!message || message.type !== 'hello') {
    return refuse(ws, 'handshake_required', 'The first frame must be hello.', 1008);
  }
  if (message.role === 'publisher') {
    ws.role = 'publisher';
    return ws.send(JSON.stringify({ type: 'welcome', role: 'publisher', connection_id: ws.id, epoch, seq: lastSeq, merchants: null, recovered: null }));
  }
  if (message.role !== 'subscriber') {
    return refuse(ws, 'bad_frame', 'role must be publisher or subscriber.', 1008);
  }
  ws.role = 'subscriber';
  ws.merchants = Array.isArray(message.merchants) ? message.merchants.map(String) : null;
  const since = Number.isInteger(message.since) ? message.since : null;
  const sameEpoch = message.epoch === undefined || message.epoch === epoch;
  const oldest = history.length > 0 ? history[0].seq : lastSeq + 1;
  const recovered = since === null || (sameEpoch && since <= lastSeq && since + 1 >= oldest);
  ws.send(JSON.stringify({ type: 'welcome', role: 'subscriber', connection_id: ws.id, epoch, seq: lastSeq, merchants: ws.merchants, recovered }));
  if (since !== null) {
    const after = sameEpoch && since <= lastSeq ? since : 0;
    for (const entry of history) {
      if (entry.seq > after && wants(ws, entry.merchantId)) ws.send(entry.frame);
    }
  }
  subscribe(ws);
}

function publish(ws, message, text) {
  const order = message.order;
  const id = typeof message.id === 'string' ? message.id : undefined;
  if (order === null || typeof order !== 'object' || Array.isArray(order)) {
    return sendError(ws, 'bad_frame', 'A publish needs an "order" object.', id);
  }
  const { seq, duplicate } = accept(order, rawValue(text, 'order'), id);
  if (duplicate) return ws.send(JSON.stringify({ type: 'ack', id, seq, duplicate: true }));
  ws.send(id === undefined ? `{"type":"ack","seq":${seq}}` : JSON.stringify({ type: 'ack', id, seq }));
}

// Takes a seq for the order (or finds its idempotency key) and fans it out; orderText is its raw JSON.
function accept(order, orderText, id) {
  if (id !== undefined && seqById.has(id)) return { seq: seqById.get(id), duplicate: true };
  const merchant = order.merchant_id;
  const merchantId = typeof merchant === 'string' || typeof merchant === 'number' ? String(merchant) : null;
  const seq = ++lastSeq;
  const frame = Buffer.from(
    `{"type":"order","seq":${seq},"merchant_id":${JSON.stringify(merchantId)},"ts":"${new Date().toISOString()}","order":${orderText}}`);
  remember({ seq, merchantId, frame, id });
  for (const subscriber of everyMerchant) subscriber.send(frame);
  if (merchantId !== null) {
    const subscribers = byMerchant.get(merchantId);
    if (subscribers) for (const subscriber of subscribers) subscriber.send(frame);
  }
  return { seq, duplicate: false };
}

function remember(entry) {
  history.push(entry);
  if (entry.id !== undefined) seqById.set(entry.id, entry.seq);
  if (history.length > HISTORY_LIMIT) {
    const evicted = history.shift();
    if (evicted.id !== undefined) seqById.delete(evicted.id);
  }
}

function wants(ws, merchantId) {
  return ws.merchants === null || (merchantId !== null && ws.merchants.includes(merchantId));
}

function subscribe(ws) {
  if (ws.merchants === null) return everyMerchant.add(ws);
  for (const merchant of ws.merchants) {
    if (!byMerchant.has(merchant)) byMerchant.set(merchant, new Set());
    byMerchant.get(merchant).add(ws);
  }
}

function unsubscribe(ws) {
  if (ws.role !== 'subscriber') return;
  if (ws.merchants === null) return everyMerchant.delete(ws);
  for (const merchant of ws.merchants) {
    const subscribers = byMerchant.get(merchant);
    if (subscribers && subscribers.delete(ws) && subscribers.size === 0) byMerchant.delete(merchant);
  }
}

function sendError(ws, code, message, id) {
  ws.send(JSON.stringify(id === undefined ? { type: 'error', code, message } : { type: 'error', code, message, id }));
}

function refuse(ws, code, message, closeCode) {
  sendError(ws, code, message);
  ws.close(closeCode, code);
}

// The raw text of a top-level field's value in a JSON text already parsed (so well formed).
function rawValue(text, key) {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      const end = endOfString(text, i);
      if (depth === 1) {
        let j = end;
        while (/\s/.test(text[j])) j++;
        if (text[j] === ':' && JSON.parse(text.slice(i, end)) === key) {
          j++;
          while (/\s/.test(text[j])) j++;
          return text.slice(j, endOfValue(text, j));
        }
      }
      i = end - 1;
    } else if (c === '{' || c === '[') {
      depth++;
    } else if (c === '}' || c === ']') {
      depth--;
    }
  }
  return undefined;
}

function endOfString(text, start) {
  for (let i = start + 1; ; i++) {
    if (text[i] === '\\') i++;
    else if (text[i] === '"') return i + 1;
  }
}

function endOfValue(text, start) {
  let depth = 0;
  for (let i = start; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      i = endOfString(text, i) - 1;
      if (depth === 0) return i + 1;
    } else if (c === '{' || c === '[') {
      depth++;
    } else if (c === '}' || c === ']') {
      depth--;
      if (depth === 0) return i + 1;
    } else if (depth === 0 && (c === ',' || /\s/.test(c))) {
      return i;
    }
  }
  return text.length;
}

// WebSocket pings, dropping peers that stopped answering, as the ws README recommends.
const pinger = setInterval(() => {
  for (const ws of wss.clients) {
    if (!ws.isAlive) {
      ws.terminate();
      continue;
    }
    ws.isAlive = false;
    ws.ping();
  }
}, PING_INTERVAL_MS);
wss.on('close', () => clearInterval(pinger));

function argument(name) {
  const at = process.argv.indexOf(name);
  return at >= 0 ? process.argv[at + 1] : undefined;
}

server.listen(port, '127.0.0.1', () => console.log(`node-ws peer on ws://127.0.0.1:${port}/ (epoch ${epoch})`));
