import { formatAmount } from "./format.js";

const ALERTS_KEY = "orderrelay.merchant.alerts";

/**
 * A short beep and a desktop notification per new order, once the person has turned them
 * on with `button` (browsers allow sound only after a click or key press). Orders arriving
 * together, as after a reconnection, share one beep and one notification.
 */
export function createAlerts(button, t) {
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
    button.textContent = t(enabled ? "alertsOn" : "alertsOff");
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

  const flush = () => {
    const orders = pending;
    pending = [];
    beep();
    if ("Notification" in window && Notification.permission === "granted") {
      const first = orders[0];
      const body = orders.length === 1
        ? `${first.order.customer_name ?? ""} · ${formatAmount(first.order.order_amount ?? first.order.amount, first.order.currency)}`
        : t("notificationCount", { count: orders.length });
      const title = orders.length === 1 && first.orderId !== null ? t("notificationOne", { id: first.orderId }) : t("notificationMany");
      new Notification(title, { body, icon: "favicon.svg", tag: "orderrelay-new-order" });
    }
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
