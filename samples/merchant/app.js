import { RelayClient } from "../../clients/js/index.js";
import { createAlerts } from "./alerts.js";
import { formatAmount, formatCount } from "./format.js";
import { chooseLanguage, translateDocument, translator } from "./i18n.js";
import { OrderBook } from "./order-book.js";
import { OrderList } from "./order-list.js";
import { UnseenBadge } from "./unseen-badge.js";

/** Wires the merchant page: settings, the relay client, the order list, today's figures, the tab badge, alerts. */
const KEPT_ORDERS = 200;
const SETTINGS_KEY = "orderrelay.merchant.settings";
const TOKEN_KEY = "orderrelay.merchant.token";

const $ = (id) => document.getElementById(id);
const language = chooseLanguage();
const t = translator(language);
translateDocument(language, t);

const settings = readSettings();
const book = new OrderBook(`orderrelay.merchant.v1:${settings.relay}|${settings.merchants.join(",")}`, KEPT_ORDERS);
const badge = new UnseenBadge(t("documentTitle"));
const alerts = createAlerts($("alerts"), t);
const list = new OrderList({
  list: $("orders"),
  t,
  showMerchant: settings.merchants.length !== 1,
  onSeen: (seq) => {
    const entry = book.find(seq);
    if (book.markSeen(seq)) {
      list.update(entry);
      renderBadge();
    }
  },
  onAccept: (entry) => {
    book.markSeen(entry.seq);
    client.accept(entry.seq);
    list.update(entry, { accepting: true });
    renderBadge();
  },
});

fillSettingsForm();
renderAll();

const client = new RelayClient({
  url: settings.relay,
  token: settings.token,
  merchants: settings.merchants,
  resumeFrom: book.position,
  onState: showState,
  onWelcome: (welcome, { recovered, position }) => {
    if (!recovered) {
      showNotice(t("notRecovered"));
    }
    book.moveTo(position);
    list.setUrgentAfter(welcome.escalation_after_ms);
  },
  onOrder: (frame, position) => {
    const entry = book.add(frame, position);
    if (entry !== null) {
      list.prepend(entry, KEPT_ORDERS);
      renderToday();
      renderBadge();
      alerts.announce(entry);
    }
  },
  onAccepted: (frame) => {
    const entry = book.markAccepted(frame.seq, frame.at);
    if (entry !== null) {
      list.update(entry);
      renderBadge();
    }
  },
  onError: (frame, { abandonedAccepts }) => {
    if (abandonedAccepts.length === 0) {
      return;
    }
    showNotice(frame.code === "unknown_type" ? t("acceptUnsupported") : t("acceptRefused", { reason: frame.message || frame.code }));
    abandonedAccepts.map((seq) => book.find(seq)).filter((entry) => entry !== null).forEach((entry) => list.update(entry));
  },
});
client.start();

/** URL parameters win over saved settings; a token in the URL is moved out of it (URLs end up in logs and history). */
function readSettings() {
  const query = new URLSearchParams(location.search);
  let saved = {};
  try {
    saved = JSON.parse(localStorage.getItem(SETTINGS_KEY)) ?? {};
  } catch {
    saved = {};
  }
  const token = query.get("token") ?? sessionStorage.getItem(TOKEN_KEY) ?? "";
  if (query.has("token")) {
    sessionStorage.setItem(TOKEN_KEY, token);
    query.delete("token");
    const rest = query.toString();
    history.replaceState(null, "", location.pathname + (rest ? `?${rest}` : "") + location.hash);
  }
  const merchants = (query.get("merchants") ?? saved.merchants ?? "")
    .split(",").map((id) => id.trim()).filter((id) => id.length > 0);
  return { relay: query.get("relay") ?? saved.relay ?? defaultRelay(), token, merchants };
}

/** The relay that served this page (ws:// or wss:// + its host + /). */
function defaultRelay() {
  return `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/`;
}

function fillSettingsForm() {
  const form = $("settings");
  form.elements.relay.value = settings.relay;
  form.elements.token.value = settings.token;
  form.elements.merchants.value = settings.merchants.join(", ");
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const merchants = form.elements.merchants.value;
    localStorage.setItem(SETTINGS_KEY, JSON.stringify({ relay: form.elements.relay.value.trim(), merchants }));
    sessionStorage.setItem(TOKEN_KEY, form.elements.token.value.trim());
    location.assign(location.pathname);
  });
  $("forget").addEventListener("click", () => {
    book.forgetOrders();
    renderAll();
  });
  $("notice-dismiss").addEventListener("click", () => {
    $("notice").hidden = true;
  });
}

function showState(name, detail) {
  const text = {
    connecting: () => t("connecting"),
    live: () => t("live"),
    reconnecting: () => t("reconnecting", { seconds: detail }),
    refused: () => t("refused", { reason: detail }),
  }[name];
  if (text === undefined) {
    return;
  }
  const element = $("connection");
  element.dataset.state = name;
  element.textContent = text();
}

function showNotice(text) {
  $("notice-text").textContent = text;
  $("notice").hidden = false;
}

function renderAll() {
  list.render(book.orders);
  renderToday();
  renderBadge();
}

function renderBadge() {
  badge.show(book.unseenCount);
}

function renderToday() {
  const today = book.today();
  $("today-count").textContent = formatCount(today.count);
  const totals = Object.entries(today.totals);
  $("today-total").textContent = totals.length === 0
    ? formatAmount(0, undefined)
    : totals.map(([currency, sum]) => formatAmount(sum, currency || undefined)).join(" + ");
  $("empty").hidden = book.orders.length > 0;
}
