import { localDay } from "./format.js";

/**
 * The orders this page has shown, whether a person has seen or accepted each, and where
 * the page stands in the relay's sequence, kept in localStorage so that a reload shows the
 * same orders once, still marked, and resumes with `since`. Bounded: only the newest
 * `limit` orders are kept; the position and today's tally are kept apart from them, so
 * trimming the list never loses count.
 */
export class OrderBook {
  constructor(storageKey, limit) {
    this.storageKey = storageKey;
    this.limit = limit;
    this.state = OrderBook.load(storageKey);
  }

  static empty() {
    return { version: 1, epoch: null, seq: 0, orders: [], tally: { day: "", count: 0, totals: {} } };
  }

  static load(storageKey) {
    try {
      const saved = JSON.parse(localStorage.getItem(storageKey));
      if (saved && saved.version === 1 && Array.isArray(saved.orders)) {
        return saved;
      }
    } catch {
      // Unreadable (or blocked) storage: start afresh rather than fail.
    }
    return OrderBook.empty();
  }

  /** The `since` and `epoch` to resume with, or null before the first welcome. */
  get position() {
    return this.state.epoch === null ? null : { epoch: this.state.epoch, since: this.state.seq };
  }

  get orders() {
    return this.state.orders;
  }

  /** Orders on the list that no person has seen or accepted yet. */
  get unseenCount() {
    return this.state.orders.filter((entry) => entry.seen === false).length;
  }

  /** Where the client stands after a welcome (a new epoch restarts at 0). */
  moveTo(position) {
    this.state.epoch = position.epoch;
    this.state.seq = position.since;
    this.save();
  }

  /**
   * Takes one new order with the position after it; returns the stored entry, or null
   * when the same merchant's order id is on the list already (a publisher's retry that a
   * restarted relay could no longer recognise).
   */
  add(frame, position) {
    this.state.epoch = position.epoch;
    this.state.seq = position.since;
    const order = frame.order && typeof frame.order === "object" ? frame.order : {};
    const orderId = order.order_id ?? order.id ?? null;
    const merchantId = frame.merchant_id ?? null;
    if (orderId !== null && this.state.orders.some((e) => e.orderId === String(orderId) && e.merchantId === merchantId)) {
      this.save();
      return null;
    }

    const entry = {
      epoch: this.state.epoch,
      seq: frame.seq,
      ts: frame.ts,
      merchantId,
      orderId: orderId === null ? null : String(orderId),
      order,
      seen: false,
      acceptedAt: null,
    };
    this.state.orders.unshift(entry);
    this.state.orders.length = Math.min(this.state.orders.length, this.limit);
    this.count(entry);
    this.save();
    return entry;
  }

  find(seq) {
    return this.state.orders.find((entry) => entry.seq === seq && entry.epoch === this.state.epoch) ?? null;
  }

  /** A person clicked or focused the order. Returns true when that changed something. */
  markSeen(seq) {
    const entry = this.find(seq);
    if (entry === null || entry.seen !== false) {
      return false;
    }
    entry.seen = true;
    this.save();
    return true;
  }

  /** A person accepted the order (here or on another page): seen too. Returns the entry, or null when it is not on the list. */
  markAccepted(seq, at) {
    const entry = this.find(seq);
    if (entry === null) {
      return null;
    }
    entry.seen = true;
    entry.acceptedAt ??= at;
    this.save();
    return entry;
  }

  /** Today's orders and totals by currency ("" when orders carry none). */
  today() {
    const tally = this.state.tally;
    return tally.day === localDay(new Date()) ? tally : { day: "", count: 0, totals: {} };
  }

  /** Forgets the shown orders and today's tally but keeps the position, so nothing is replayed. */
  forgetOrders() {
    this.state.orders = [];
    this.state.tally = { day: "", count: 0, totals: {} };
    this.save();
  }

  count(entry) {
    const day = localDay(new Date(entry.ts));
    if (day !== localDay(new Date())) {
      return;
    }
    const tally = this.state.tally.day === day ? this.state.tally : { day, count: 0, totals: {} };
    tally.count += 1;
    const amount = Number(entry.order.order_amount ?? entry.order.amount);
    if (Number.isFinite(amount)) {
      const currency = typeof entry.order.currency === "string" ? entry.order.currency : "";
      tally.totals[currency] = Math.round(((tally.totals[currency] ?? 0) + amount) * 100) / 100;
    }
    this.state.tally = tally;
  }

  save() {
    try {
      localStorage.setItem(this.storageKey, JSON.stringify(this.state));
    } catch {
      // Storage full or blocked: the page keeps working for this visit.
    }
  }
}
