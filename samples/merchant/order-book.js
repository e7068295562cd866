"use strict";

/**
 * The orders this page has shown and where it stands in the relay's sequence, kept in
 * localStorage so that a reload shows the same orders once and resumes with `since`.
 * Bounded: only the newest `limit` orders are kept; the position and today's tally are
 * kept apart from them, so trimming the list never loses count.
 */
class OrderBook {
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

  /**
   * Called on each welcome. On a first connection the page starts from the relay's newest
   * seq; in a different epoch the relay replays its history from the start, so the
   * position restarts at 0 there (the orders shown before are kept on screen).
   */
  beginSession(welcome, resumed) {
    if (!resumed) {
      this.state.epoch = welcome.epoch;
      this.state.seq = welcome.seq;
    } else if (welcome.epoch !== this.state.epoch) {
      this.state.epoch = welcome.epoch;
      this.state.seq = 0;
    }
    this.save();
  }

  /**
   * Takes one delivered order; returns the stored entry when it is new, or null when it
   * was shown already: its seq is not past the position (a replay overlapping what was
   * seen), or the same merchant's order id is on the list (a publisher's retry that a
   * restarted relay could no longer recognise).
   */
  accept(frame) {
    if (frame.seq <= this.state.seq) {
      return null;
    }
    this.state.seq = frame.seq;
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
    };
    this.state.orders.unshift(entry);
    this.state.orders.length = Math.min(this.state.orders.length, this.limit);
    this.count(entry);
    this.save();
    return entry;
  }

  /** Today's orders and totals by currency ("" when orders carry none). */
  today() {
    const tally = this.state.tally;
    return tally.day === OrderBook.localDay(new Date()) ? tally : { day: "", count: 0, totals: {} };
  }

  /** Forgets the shown orders and today's tally but keeps the position, so nothing is replayed. */
  forgetOrders() {
    this.state.orders = [];
    this.state.tally = { day: "", count: 0, totals: {} };
    this.save();
  }

  count(entry) {
    const day = OrderBook.localDay(new Date(entry.ts));
    if (day !== OrderBook.localDay(new Date())) {
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

  static localDay(date) {
    return `${date.getFullYear()}-${date.getMonth() + 1}-${date.getDate()}`;
  }
}
