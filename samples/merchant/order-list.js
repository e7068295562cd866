import { formatAmount, formatClock, formatTime } from "./format.js";

/** How long an order may wait for Accept before it looks urgent, when the relay's welcome does not say (escalation_after_ms). */
export const DEMO_URGENT_AFTER_MS = 120_000;

/**
 * The list of orders on screen. Each row is one line of fixed height whatever the script
 * of its text (style.css), built with textContent only: order fields come from outside and
 * are never parsed as HTML. A new row is marked (.unseen) until a person clicks or focuses
 * it or accepts the order; a row not accepted `urgentAfterMs` after the relay took the
 * order turns urgent.
 */
export class OrderList {
  constructor({ list, t, showMerchant, onSeen, onAccept }) {
    Object.assign(this, { list, t, showMerchant, onSeen, onAccept });
    this.urgentAfterMs = DEMO_URGENT_AFTER_MS;
    this.limit = Infinity;
    list.addEventListener("click", (event) => this.seenFrom(event));
    list.addEventListener("focusin", (event) => this.seenFrom(event));
    setInterval(() => this.refreshUrgency(), 1_000);
  }

  render(entries) {
    this.list.replaceChildren(...entries.map((entry) => this.row(entry)));
    this.list.firstElementChild?.classList.add("newest");
    this.refreshUrgency();
  }

  prepend(entry, limit) {
    this.list.querySelector(".newest")?.classList.remove("newest");
    const row = this.row(entry);
    row.classList.add("newest");
    this.list.prepend(row);
    while (this.list.children.length > limit) {
      this.list.lastElementChild.remove();
    }
    this.refreshUrgency();
  }

  /** Redraws one order's marks after it was seen, accepted, or its accept was given up. */
  update(entry, { accepting = false } = {}) {
    const row = this.list.querySelector(`li[data-seq="${entry.seq}"]`);
    if (row === null) {
      return;
    }
    row.classList.toggle("unseen", entry.seen === false);
    row.classList.toggle("accepted", entry.acceptedAt !== null);
    const status = row.querySelector(".status");
    // Left in place when unchanged: a focus (which marks the order seen) comes between the
    // press and the click of the Accept button, and a replaced button would lose the click.
    const shows = statusKey(entry, accepting);
    if (status.dataset.shows !== shows) {
      status.dataset.shows = shows;
      status.replaceChildren(this.status(entry, accepting));
    }
    this.refreshUrgency();
  }

  setUrgentAfter(ms) {
    this.urgentAfterMs = Number.isFinite(ms) && ms > 0 ? ms : DEMO_URGENT_AFTER_MS;
    this.refreshUrgency();
  }

  refreshUrgency() {
    const now = Date.now();
    for (const row of this.list.children) {
      const waited = now - Date.parse(row.dataset.ts);
      row.classList.toggle("urgent", !row.classList.contains("accepted") && waited >= this.urgentAfterMs);
    }
  }

  seenFrom(event) {
    const row = event.target.closest?.("li.order");
    if (row?.classList.contains("unseen")) {
      this.onSeen(Number(row.dataset.seq));
    }
  }

  row(entry) {
    const order = entry.order;
    const row = document.createElement("li");
    row.className = "order";
    row.tabIndex = 0;
    row.dataset.seq = entry.seq;
    row.dataset.ts = entry.ts;
    if (entry.orderId !== null) {
      row.dataset.orderId = entry.orderId;
    }
    row.classList.toggle("unseen", entry.seen === false);
    row.classList.toggle("accepted", entry.acceptedAt !== null);

    const id = cell("span", "order-id", entry.orderId === null ? `seq ${entry.seq}` : `#${entry.orderId}`);
    const name = String(order.customer_name ?? order.customer ?? "—");
    const customer = cell("span", "customer", name);
    customer.title = name;
    if (entry.merchantId !== null && this.showMerchant) {
      customer.append(cell("span", "merchant", entry.merchantId));
    }
    const amount = cell("span", "amount", formatAmount(order.order_amount ?? order.amount, order.currency));
    const time = cell("time", "", formatTime(entry.ts));
    time.dateTime = entry.ts;
    const marks = cell("span", "marks", "");
    marks.append(cell("span", "mark-new", this.t("newBadge")), cell("span", "mark-urgent", this.t("urgentBadge")));
    const status = cell("span", "status", "");
    status.dataset.shows = statusKey(entry, false);
    status.append(this.status(entry, false));
    row.append(marks, id, customer, amount, time, status);
    return row;
  }

  status(entry, accepting) {
    if (entry.acceptedAt !== null) {
      return cell("span", "taken", this.t("accepted", { time: formatClock(entry.acceptedAt) }));
    }
    const button = cell("button", "accept", this.t(accepting ? "accepting" : "accept"));
    button.type = "button";
    button.disabled = accepting;
    button.addEventListener("click", () => this.onAccept(entry));
    return button;
  }
}

function statusKey(entry, accepting) {
  return entry.acceptedAt !== null ? "accepted" : accepting ? "accepting" : "open";
}

function cell(tag, className, text) {
  const element = document.createElement(tag);
  element.className = className;
  element.textContent = text;
  return element;
}
