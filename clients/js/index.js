/**
 * OrderRelay's browser client: one subscriber connection that keeps itself alive.
 *
 * It says hello (resuming with `since`/`epoch`), confirms each order with `ack` once the
 * application has taken it, pings every 20 s, reconnects with exponential back-off and
 * jitter, and sends a person's `accept`, again after a reconnection until the relay
 * answers `accepted`. Plain ES module, no dependencies: import it from
 * `<script type="module">` as it is. Types: index.d.ts.
 */

const PING_INTERVAL_MS = 20_000;
/** Silence for this long (no pong, no order) means the connection is dead even if the browser has not noticed. */
const SILENCE_LIMIT_MS = 50_000;
const FIRST_RETRY_MS = 1_000;
const MAX_RETRY_MS = 30_000;
/** Errors before welcome after which retrying the same hello cannot help: a setting has to change first. */
const REFUSALS = new Set(["auth_failed", "handshake_required", "handshake_timeout", "bad_frame"]);
/** Answers to an accept that end it without an `accepted`: the order cannot be accepted from here. */
const ACCEPT_REFUSALS = new Set(["not_yours", "unknown_seq", "unknown_type"]);

export class RelayClient {
  /** @param {import("./index.d.ts").RelayClientOptions} options */
  constructor(options) {
    if (typeof options?.url !== "string" || options.url.length === 0) {
      throw new TypeError("RelayClient needs the relay's WebSocket address as options.url");
    }
    this.options = options;
    this.merchants = options.merchants ?? [];
    this.position = validPosition(options.resumeFrom) ? { ...options.resumeFrom } : null;
    this.state = "idle";
    this.socket = null;
    this.attempt = 0;
    this.timers = [];
    this.stopped = false;
    this.live = false;
    this.resumedFrom = null;
    /** Seqs a person accepted that the relay has not yet answered with `accepted`, in the order pressed. */
    this.pendingAccepts = new Set();
    this.onOnline = () => this.reconnectNow();
  }

  /** Connects, and keeps connecting until `stop()` or a refusal. */
  start() {
    this.stopped = false;
    globalThis.addEventListener?.("online", this.onOnline);
    this.connect();
  }

  /** Closes the connection (1000) and stops reconnecting. */
  stop() {
    this.stopped = true;
    globalThis.removeEventListener?.("online", this.onOnline);
    this.clearTimers();
    const socket = this.socket;
    this.socket = null;
    if (socket !== null) {
      socket.onclose = null;
      socket.onmessage = null;
      socket.close(1000, "closed by the page");
    }
    this.setState("stopped");
  }

  /**
   * Tells the relay a person accepted the order with this seq: sent now when live, else
   * after the next welcome; sent again after every reconnection until the relay answers
   * `accepted` (accepting twice is harmless). Returns true when sent at once.
   */
  accept(seq) {
    if (!Number.isSafeInteger(seq) || seq < 1) {
      throw new RangeError(`accept needs an order's seq (a positive integer), not ${seq}`);
    }
    this.pendingAccepts.add(seq);
    return this.sendAccept(seq);
  }

  /** When a connection is waiting to retry: try now (the browser came back online). */
  reconnectNow() {
    if (this.socket === null && this.state === "reconnecting") {
      this.clearTimers();
      this.connect();
    }
  }

  connect() {
    this.setState("connecting");
    const WebSocketImpl = this.options.WebSocket ?? globalThis.WebSocket;
    let socket;
    try {
      socket = new WebSocketImpl(this.options.url);
    } catch (error) {
      this.setState("refused", `the relay address is not usable (${error.message})`);
      return;
    }
    this.socket = socket;
    this.live = false;
    let refusal = null;
    let lastHeard = Date.now();

    socket.onopen = () => socket.send(JSON.stringify(this.hello()));
    socket.onmessage = (event) => {
      lastHeard = Date.now();
      const frame = JSON.parse(event.data);
      switch (frame.type) {
        case "welcome":
          this.welcome(frame);
          this.every(PING_INTERVAL_MS, () => {
            if (Date.now() - lastHeard > SILENCE_LIMIT_MS) {
              this.abandon(socket);
            } else {
              socket.send('{"type":"ping"}');
            }
          });
          break;
        case "order":
          this.order(socket, frame);
          break;
        case "accepted":
          this.pendingAccepts.delete(frame.seq);
          this.options.onAccepted?.(frame);
          break;
        case "error":
          if (!this.live && REFUSALS.has(frame.code)) {
            refusal = frame.message || frame.code;
          } else {
            this.error(frame);
          }
          break;
        default:
          // pong, and frame types a newer relay may add.
          break;
      }
    };
    socket.onclose = (event) => {
      if (this.socket !== socket) {
        return;
      }
      this.socket = null;
      this.live = false;
      this.clearTimers();
      if (refusal !== null || event.code === 1008) {
        this.setState("refused", refusal ?? (event.reason || "the relay closed the connection (policy)"));
      } else if (!this.stopped) {
        this.retryLater();
      }
    };
  }

  hello() {
    const hello = { type: "hello", role: "subscriber" };
    if (this.options.token) {
      hello.token = this.options.token;
    }
    if (this.merchants.length > 0) {
      hello.merchants = this.merchants;
    }
    this.resumedFrom = this.position === null ? null : { ...this.position };
    if (this.position !== null) {
      hello.since = this.position.since;
      hello.epoch = this.position.epoch;
    }
    return hello;
  }

  /**
   * On a first connection the position starts at the relay's newest seq; in a different
   * epoch the relay replays what it holds from the start, so the position restarts at 0.
   */
  welcome(frame) {
    this.live = true;
    this.attempt = 0;
    const resumed = this.resumedFrom !== null;
    if (!resumed) {
      this.position = { epoch: frame.epoch, since: frame.seq };
    } else if (frame.epoch !== this.position.epoch) {
      this.position = { epoch: frame.epoch, since: 0 };
    }
    this.setState("live");
    this.options.onWelcome?.(frame, { resumed, recovered: frame.recovered !== false, position: { ...this.position } });
    this.pendingAccepts.forEach((seq) => this.sendAccept(seq));
  }

  /** Orders at or before the position were shown already (an overlapping replay): confirmed again, not shown again. */
  order(socket, frame) {
    if (this.position !== null && frame.seq <= this.position.since) {
      socket.send(JSON.stringify({ type: "ack", seq: frame.seq }));
      return;
    }
    const next = { epoch: this.position.epoch, since: frame.seq };
    // An onOrder that throws has not taken the order: the position stays, and no ack is sent.
    this.options.onOrder?.(frame, { ...next });
    this.position = next;
    if (this.options.autoAck !== false) {
      socket.send(JSON.stringify({ type: "ack", seq: frame.seq }));
    }
  }

  /**
   * The relay answers a connection's frames in order, but `accepted` comes by a broadcast
   * that an error for a later accept may overtake, so an accept refusal cannot be tied to
   * one seq: every pending accept is given up and reported with it (the person may press
   * again; `unknown_type` means this relay has no accept at all).
   */
  error(frame) {
    let abandoned = [];
    if (ACCEPT_REFUSALS.has(frame.code) && this.pendingAccepts.size > 0) {
      abandoned = [...this.pendingAccepts];
      this.pendingAccepts.clear();
    }
    this.options.onError?.(frame, { abandonedAccepts: abandoned });
  }

  sendAccept(seq) {
    if (!this.live || this.socket === null) {
      return false;
    }
    this.socket.send(JSON.stringify({ type: "accept", seq }));
    return true;
  }

  /** Drops a connection that has gone silent without waiting for a close handshake that may never come. */
  abandon(socket) {
    socket.onclose = null;
    socket.onmessage = null;
    socket.close(4000, "no answer to ping");
    this.socket = null;
    this.live = false;
    this.clearTimers();
    this.retryLater();
  }

  retryLater() {
    const ceiling = Math.min(MAX_RETRY_MS, FIRST_RETRY_MS * 2 ** this.attempt);
    const delay = ceiling / 2 + Math.random() * (ceiling / 2);
    this.attempt += 1;
    const retryAt = Date.now() + delay;
    const tick = () => this.setState("reconnecting", Math.max(1, Math.ceil((retryAt - Date.now()) / 1000)));
    tick();
    this.every(1_000, tick);
    this.timers.push(setTimeout(() => {
      this.clearTimers();
      this.connect();
    }, delay));
  }

  every(ms, action) {
    this.timers.push(setInterval(action, ms));
  }

  clearTimers() {
    // clearTimeout and clearInterval share one id pool.
    this.timers.forEach((timer) => clearTimeout(timer));
    this.timers = [];
  }

  setState(name, detail) {
    this.state = name;
    this.options.onState?.(name, detail);
  }
}

function validPosition(position) {
  return position != null && typeof position.epoch === "string" && Number.isSafeInteger(position.since) && position.since >= 0;
}
