// The OrderRelay status page: polls /status/data every two seconds and draws what it says.
// The publisher key, when the relay asks for one, goes in an Authorization header and is kept
// in this tab's sessionStorage only: never in the address, never in a cookie.
"use strict";

const POLL_MS = 2000;
const KEY_ITEM = "orderrelay-status-key";
const SVG = "http://www.w3.org/2000/svg";
const CHART = { width: 800, height: 220, left: 44, right: 8, top: 10, bottom: 22 };

const $ = id => document.getElementById(id);
let key = sessionStorage.getItem(KEY_ITEM);
let timer = null;

function setState(state, text) {
  $("state").dataset.state = state;
  $("state").textContent = text;
}

function askForKey(state, text) {
  setState(state, text);
  $("figures").hidden = true;
  $("key-form").hidden = false;
  $("key").focus();
}

$("key-form").addEventListener("submit", event => {
  event.preventDefault();
  key = $("key").value.trim();
  $("key").value = "";
  sessionStorage.setItem(KEY_ITEM, key);
  refresh();
});

async function refresh() {
  clearTimeout(timer);
  try {
    const headers = { Accept: "application/json" };
    if (key) {
      headers.Authorization = "Bearer " + key;
    }
    const response = await fetch("data", { headers, cache: "no-store", credentials: "omit" });
    if (response.status === 401) {
      sessionStorage.removeItem(KEY_ITEM);
      const hadKey = Boolean(key);
      key = null;
      askForKey(hadKey ? "refused" : "needs-key", hadKey ? "Key refused" : "Publisher key required");
      return;
    }
    if (response.status === 403) {
      setState("forbidden", "Served to loopback clients only");
      return;
    }
    if (!response.ok) {
      throw new Error("HTTP " + response.status);
    }
    show(await response.json());
    setState("live", "Live");
  } catch (error) {
    setState("error", "Relay unreachable: " + error.message);
  }
  timer = setTimeout(refresh, POLL_MS);
}

const integer = new Intl.NumberFormat(undefined, { maximumFractionDigits: 0 });

function milliseconds(value) {
  if (value === null || value === undefined) {
    return "–";
  }
  return (value < 10 ? value.toFixed(2) : integer.format(value)) + " ms";
}

function bound(latency) {
  if (!latency) {
    return "–";
  }
  return (latency.over ? "> " : "≤ ") + milliseconds(latency.ms);
}

function show(data) {
  $("key-form").hidden = true;
  $("figures").hidden = false;
  $("publishers").textContent = integer.format(data.connections.publisher);
  $("subscribers").textContent = integer.format(data.connections.subscriber);
  $("merchants-online").textContent = integer.format(data.merchants_online);
  $("orders-accepted").textContent = integer.format(data.orders_accepted);
  $("deliveries").textContent = integer.format(data.deliveries);
  $("slow-drops").textContent = integer.format(data.slow_consumers_dropped);
  $("latency-mean").textContent = milliseconds(data.latency.mean_last_minute_ms);
  $("latency-p50").textContent = bound(data.latency.p50);
  $("latency-p99").textContent = bound(data.latency.p99);
  $("latency-count").textContent = integer.format(data.latency.observed);
  $("epoch").textContent = data.epoch;
  $("seq").textContent = data.seq;
  $("updated").textContent = new Date(data.now).toLocaleTimeString();
  drawChart(data.history);
  showWaiting(data.waiting_merchants, data.waiting_merchants_total);
}

function element(name, attributes, text) {
  const node = document.createElementNS(SVG, name);
  for (const [attribute, value] of Object.entries(attributes)) {
    node.setAttribute(attribute, value);
  }
  if (text !== undefined) {
    node.textContent = text;
  }
  return node;
}

function niceCeiling(value) {
  const magnitude = Math.pow(10, Math.floor(Math.log10(value)));
  const steps = [1, 2, 5, 10].map(step => step * magnitude);
  return steps.find(step => step >= value);
}

function drawChart(history) {
  const svg = $("chart");
  const slots = Math.max(history.orders.length, 60);
  const top = niceCeiling(Math.max(1, ...history.orders, ...history.deliveries));
  const plotWidth = CHART.width - CHART.left - CHART.right;
  const plotHeight = CHART.height - CHART.top - CHART.bottom;
  const x = index => CHART.left + plotWidth * (slots - history.orders.length + index + 1) / slots;
  const y = value => CHART.top + plotHeight * (1 - value / top);
  svg.replaceChildren();
  for (const fraction of [0, 0.5, 1]) {
    svg.append(element("line", { class: "grid", x1: CHART.left, x2: CHART.width - CHART.right, y1: y(top * fraction), y2: y(top * fraction) }));
    svg.append(element("text", { x: CHART.left - 6, y: y(top * fraction) + 4, "text-anchor": "end" }, integer.format(top * fraction)));
  }
  const seconds = slots * history.interval_seconds;
  svg.append(element("text", { x: CHART.left, y: CHART.height - 6 }, "−" + Math.round(seconds / 60) + " min"));
  svg.append(element("text", { x: CHART.width - CHART.right, y: CHART.height - 6, "text-anchor": "end" }, "now"));
  for (const series of ["orders", "deliveries"]) {
    const points = history[series].map((value, index) => x(index).toFixed(1) + "," + y(value).toFixed(1)).join(" ");
    svg.append(element("polyline", { id: series + "-line", class: series, points }));
  }
  $("chart-span").textContent = Math.round(seconds / 60) + " min";
  const last = series => (series.length ? series[series.length - 1] : 0);
  $("orders-rate").textContent = integer.format(last(history.orders));
  $("deliveries-rate").textContent = integer.format(last(history.deliveries));
}

function showWaiting(merchants, total) {
  const rows = merchants.map(merchant => {
    const row = document.createElement("tr");
    row.dataset.merchantId = merchant.merchant_id;
    const since = merchant.unconfirmed_since ? new Date(merchant.unconfirmed_since).toLocaleTimeString() : "–";
    for (const text of [merchant.merchant_id, merchant.online, merchant.published_seq, merchant.delivered_seq || "–",
      merchant.confirmed_seq || "–", since]) {
      const cell = document.createElement("td");
      cell.textContent = text;
      row.append(cell);
    }
    return row;
  });
  $("waiting").replaceChildren(...rows);
  $("waiting-total").textContent = integer.format(total);
  $("waiting-none").hidden = total > 0;
}

refresh();
