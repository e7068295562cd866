"use strict";

/**
 * One subscriber connection to OrderRelay that keeps itself alive: says hello (resuming
 * with `since`/`epoch`), acknowledges each order once the page has taken it, pings every
 * 20 s, and reconnects with exponential back-off and jitter until the relay refuses it.
 *
 * Callbacks: onState(name, detail), onWelcome(frame, resumed), onOrder(frame).
 * States: "connecting", "live", "reconnecting" (detail: seconds left), "refused" (detail: why).
 */
class RelayClient {
  static PING_INTERVAL_MS = 20_000;
  /** Silence for this long (no pong, no order) means the connection is dead even if the browser has not noticed. */
  static SILENCE_LIMIT_MS = 50_000;
  static FIRST_RETRY_MS = 1_000;
  static MAX_RETRY_MS = 30_000;
  /** Errors after which retrying the same hello cannot help: the person has to change a setting. */
  static REFUSALS = new Set(["auth_failed", "handshake_required", "handshake_timeout", "bad_frame"]);

  constructor({ url, token, merchants, position, onState, onWelcome, onOrder }) {
    Object.assign(this, { url, token, merchants, position, onState, onWelcome, onOrder });
    this.socket = null;
    this.attempt = 0;
    this.timers = [];
    window.addEventListener("online", () => this.reconnectNow());
  }

  start() {
    this.connect();
  }

  reconnectNow() {
    if (this.socket === null && this.state === "reconnecting") {
      this.clearTimers();
      this.connect();
    }
  }

  connect() {
    this.setState("connecting");
    let socket;
    try {
      socket = new WebSocket(this.url);
    } catch (error) {
      this.setState("refused", `the relay address is not usable (${error.message})`);
      return;
    }
    this.socket = socket;
    let welcomed = false;
    let refusal = null;
    let lastHeard = Date.now();

    socket.onopen = () => socket.send(JSON.stringify(this.hello()));
    socket.onmessage = (event) => {
      lastHeard = Date.now();
      const frame = JSON.parse(event.data);
      switch (frame.type) {
        case "welcome":
          welcomed = true;
          this.attempt = 0;
          this.setState("live");
          this.onWelcome(frame, this.resumedFrom !== null);
          this.every(RelayClient.PING_INTERVAL_MS, () => {
            if (Date.now() - lastHeard > RelayClient.SILENCE_LIMIT_MS) {
              this.abandon(socket);
            } else {
              socket.send('{"type":"ping"}');
            }
          });
          break;
        case "order":
          this.onOrder(frame);
          socket.send(JSON.stringify({ type: "ack", seq: frame.seq }));
          break;
        case "error":
          if (!welcomed && RelayClient.REFUSALS.has(frame.code)) {
            refusal = frame.message || frame.code;
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
      this.clearTimers();
      if (refusal !== null || event.code === 1008) {
        this.setState("refused", refusal ?? (event.reason || "the relay closed the connection (policy)"));
      } else {
        this.retryLater();
      }
    };
  }

  hello() {
    const hello = { type: "hello", role: "subscriber" };
    if (this.token) {
      hello.token = this.token;
    }
    if (this.merchants.length > 0) {
      hello.merchants = this.merchants;
    }
    const position = this.position();
    this.resumedFrom = position;
    if (position !== null) {
      hello.since = position.since;
      hello.epoch = position.epoch;
    }
    return hello;
  }

  /** Drops a connection that has gone silent without waiting for a close handshake that may never come. */
  abandon(socket) {
    socket.onclose = null;
    socket.onmessage = null;
    socket.close(4000, "no answer to ping");
    this.socket = null;
    this.clearTimers();
    this.retryLater();
  }

  retryLater() {
    const ceiling = Math.min(RelayClient.MAX_RETRY_MS, RelayClient.FIRST_RETRY_MS * 2 ** this.attempt);
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
    const timer = setInterval(action, ms);
    this.timers.push(timer);
  }

  clearTimers() {
    // clearTimeout and clearInterval share one id pool in browsers.
    this.timers.forEach((timer) => clearTimeout(timer));
    this.timers = [];
  }

  setState(name, detail) {
    this.state = name;
    this.onState(name, detail);
  }
}
