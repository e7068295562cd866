"use strict";

/** Wires the merchant page: settings, the order list, today's figures, sound and notifications. */
(() => {
  const KEPT_ORDERS = 200;
  const SETTINGS_KEY = "orderrelay.merchant.settings";
  const TOKEN_KEY = "orderrelay.merchant.token";
  const ALERTS_KEY = "orderrelay.merchant.alerts";

  const $ = (id) => document.getElementById(id);
  const settings = readSettings();
  const book = new OrderBook(`orderrelay.merchant.v1:${settings.relay}|${settings.merchants.join(",")}`, KEPT_ORDERS);
  const alerts = createAlerts();

  fillSettingsForm();
  renderAll();

  const client = new RelayClient({
    url: settings.relay,
    token: settings.token,
    merchants: settings.merchants,
    position: () => book.position,
    onState: showState,
    onWelcome: (welcome, resumed) => {
      if (resumed && welcome.recovered === false) {
        showNotice("The relay could not replay every order since this page was last connected " +
          "(it restarted, or its history no longer reaches back that far). " +
          "Orders placed meanwhile may be missing here: check them in your order system.");
      }
      book.beginSession(welcome, resumed);
    },
    onOrder: (frame) => {
      const entry = book.accept(frame);
      if (entry !== null) {
        showNewOrder(entry);
        alerts.announce(entry);
      }
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

  /** The relay that served this page, or the default local relay when the page is opened as a file. */
  function defaultRelay() {
    if (location.protocol === "http:" || location.protocol === "https:") {
      return `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/`;
    }
    return "ws://127.0.0.1:8080/";
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
      connecting: "Connecting…",
      live: "Live",
      reconnecting: `Reconnecting in ${detail} s`,
      refused: `Refused: ${detail}`,
    }[name];
    const element = $("connection");
    element.dataset.state = name;
    element.textContent = text;
  }

  function showNotice(text) {
    $("notice-text").textContent = text;
    $("notice").hidden = false;
  }

  function renderAll() {
    const list = $("orders");
    list.replaceChildren(...book.orders.map(orderRow));
    list.firstElementChild?.classList.add("newest");
    renderToday();
  }

  function showNewOrder(entry) {
    const list = $("orders");
    list.querySelector(".newest")?.classList.remove("newest");
    const row = orderRow(entry);
    row.classList.add("newest");
    list.prepend(row);
    while (list.children.length > KEPT_ORDERS) {
      list.lastElementChild.remove();
    }
    renderToday();
  }

  /** Built with textContent only: order fields come from outside and are never parsed as HTML. */
  function orderRow(entry) {
    const order = entry.order;
    const row = document.createElement("li");
    row.className = "order";
    row.dataset.seq = entry.seq;
    if (entry.orderId !== null) {
      row.dataset.orderId = entry.orderId;
    }
    const id = cell("span", "order-id", entry.orderId === null ? `seq ${entry.seq}` : `#${entry.orderId}`);
    const customer = cell("span", "customer", String(order.customer_name ?? order.customer ?? "—"));
    if (entry.merchantId !== null && settings.merchants.length !== 1) {
      customer.append(cell("span", "merchant", entry.merchantId));
    }
    const amount = cell("span", "amount", formatAmount(order.order_amount ?? order.amount, order.currency));
    const time = cell("time", "", formatTime(entry.ts));
    time.dateTime = entry.ts;
    row.append(id, customer, amount, time);
    return row;
  }

  function cell(tag, className, text) {
    const element = document.createElement(tag);
    element.className = className;
    element.textContent = text;
    return element;
  }

  function renderToday() {
    const today = book.today();
    $("today-count").textContent = today.count.toLocaleString();
    const totals = Object.entries(today.totals);
    $("today-total").textContent = totals.length === 0
      ? formatAmount(0, undefined)
      : totals.map(([currency, sum]) => formatAmount(sum, currency || undefined)).join(" + ");
    $("empty").hidden = book.orders.length > 0;
  }

  /** In the browser's locale; with the order's ISO currency when it names a valid one. */
  function formatAmount(value, currency) {
    if (value === undefined || value === null) {
      return "—";
    }
    const number = Number(value);
    if (!Number.isFinite(number)) {
      return String(value);
    }
    if (typeof currency === "string" && currency.length > 0) {
      try {
        return new Intl.NumberFormat(undefined, { style: "currency", currency }).format(number);
      } catch {
        // Not an ISO 4217 code: show the number and the code as given.
        return `${formatAmount(number, undefined)} ${currency}`;
      }
    }
    return new Intl.NumberFormat(undefined, { minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(number);
  }

  function formatTime(ts) {
    const date = new Date(ts);
    if (Number.isNaN(date.getTime())) {
      return "";
    }
    return OrderBook.localDay(date) === OrderBook.localDay(new Date())
      ? date.toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit", second: "2-digit" })
      : date.toLocaleString(undefined, { dateStyle: "short", timeStyle: "short" });
  }

  /**
   * A short beep and a desktop notification per new order, once the person has turned them
   * on (browsers allow sound only after a click or key press). Orders arriving together,
   * as after a reconnection, share one beep and one notification.
   */
  function createAlerts() {
    const button = $("alerts");
    let enabled = localStorage.getItem(ALERTS_KEY) === "on";
    let audio = null;
    let pending = [];

    const unlockAudio = () => {
      audio ??= new AudioContext();
      if (audio.state === "suspended") {
        audio.resume().catch(() => {});
      }
    };
    const render = () => {
      button.setAttribute("aria-pressed", String(enabled));
      button.textContent = enabled ? "Sound & notifications on" : "Turn on sound & notifications";
    };

    button.addEventListener("click", () => {
      enabled = !enabled;
      localStorage.setItem(ALERTS_KEY, enabled ? "on" : "off");
      if (enabled) {
        unlockAudio();
        if ("Notification" in window && Notification.permission === "default") {
          Notification.requestPermission().catch(() => {});
        }
      }
      render();
    });
    if (enabled) {
      // After a reload the browser needs a fresh gesture before it plays sound.
      document.addEventListener("pointerdown", unlockAudio, { once: true });
      document.addEventListener("keydown", unlockAudio, { once: true });
    }
    render();

    const flush = () => {
      const orders = pending;
      pending = [];
      beep();
      if ("Notification" in window && Notification.permission === "granted") {
        const first = orders[0];
        const body = orders.length === 1
          ? `${first.order.customer_name ?? ""} · ${formatAmount(first.order.order_amount ?? first.order.amount, first.order.currency)}`
          : `${orders.length} new orders`;
        new Notification(orders.length === 1 && first.orderId !== null ? `New order #${first.orderId}` : "New orders", {
          body,
          icon: "favicon.svg",
          tag: "orderrelay-new-order",
        });
      }
    };

    const beep = () => {
      if (audio === null || audio.state !== "running") {
        return;
      }
      const oscillator = audio.createOscillator();
      const gain = audio.createGain();
      oscillator.frequency.value = 880;
      gain.gain.setValueAtTime(0.0001, audio.currentTime);
      gain.gain.exponentialRampToValueAtTime(0.25, audio.currentTime + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, audio.currentTime + 0.25);
      oscillator.connect(gain).connect(audio.destination);
      oscillator.start();
      oscillator.stop(audio.currentTime + 0.3);
    };

    return {
      announce(entry) {
        if (!enabled) {
          return;
        }
        pending.push(entry);
        if (pending.length === 1) {
          setTimeout(flush, 300);
        }
      },
    };
  }
})();
