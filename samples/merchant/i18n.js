/**
 * The page's words in English and Simplified Chinese, chosen from the browser's language
 * list (navigator.languages): the first entry that is Chinese or English wins, so a browser
 * set to "zh-CN, en" reads Chinese and "de-DE, en" reads English. Numbers, money and
 * times are formatted for the browser's own locale either way (format.js).
 */
const MESSAGES = {
  en: {
    documentTitle: "Orders · OrderRelay",
    heading: "Orders",
    connecting: "Connecting…",
    live: "Live",
    reconnecting: "Reconnecting in {seconds} s",
    refused: "Refused: {reason}",
    todayLabel: "Today",
    ordersToday: "Orders today",
    totalToday: "Total today",
    alertsOff: "Turn on sound & notifications",
    alertsOn: "Sound & notifications on",
    dismiss: "Dismiss",
    ordersLabel: "Orders, newest first",
    empty: "No orders yet. New orders appear here the moment they are placed.",
    notRecovered: "The relay could not replay every order since this page was last connected " +
      "(it restarted, or its history no longer reaches back that far). " +
      "Orders placed meanwhile may be missing here: check them in your order system.",
    acceptRefused: "The relay did not take the accept: {reason}",
    acceptUnsupported: "This relay does not take Accept yet; confirm the order in your order system.",
    settings: "Connection settings",
    relayAddress: "Relay address",
    accessToken: "Access token",
    tokenPlaceholder: "leave empty when the relay runs in open mode",
    merchantIds: "Merchant ids",
    merchantsPlaceholder: "m-1001, m-1002 (empty: every merchant the token allows)",
    connect: "Connect",
    forget: "Forget shown orders",
    newBadge: "New",
    urgentBadge: "Waiting",
    accept: "Accept",
    accepting: "Accepting…",
    accepted: "Accepted {time}",
    notificationOne: "New order #{id}",
    notificationMany: "New orders",
    notificationCount: "{count} new orders",
  },
  "zh-CN": {
    documentTitle: "订单 · OrderRelay",
    heading: "订单",
    connecting: "正在连接…",
    live: "已连接",
    reconnecting: "{seconds} 秒后重新连接",
    refused: "连接被拒绝：{reason}",
    todayLabel: "今日",
    ordersToday: "今日订单",
    totalToday: "今日金额",
    alertsOff: "开启提示音和通知",
    alertsOn: "提示音和通知已开启",
    dismiss: "知道了",
    ordersLabel: "订单，最新的在前",
    empty: "暂无订单。顾客一下单，新订单就会出现在这里。",
    notRecovered: "中继无法补发本页上次连接以来的全部订单（它重启过，或历史记录已不够久远）。" +
      "这期间的订单可能没有显示在这里：请到订单系统中核对。",
    acceptRefused: "中继未接受接单：{reason}",
    acceptUnsupported: "此中继尚不支持接单，请在订单系统中确认该订单。",
    settings: "连接设置",
    relayAddress: "中继地址",
    accessToken: "访问令牌",
    tokenPlaceholder: "中继以开放模式运行时留空",
    merchantIds: "商户编号",
    merchantsPlaceholder: "m-1001, m-1002（留空：令牌允许的全部商户）",
    connect: "连接",
    forget: "清除已显示的订单",
    newBadge: "新",
    urgentBadge: "待接单",
    accept: "接单",
    accepting: "正在接单…",
    accepted: "已接单 {time}",
    notificationOne: "新订单 #{id}",
    notificationMany: "新订单",
    notificationCount: "{count} 个新订单",
  },
};

/** "zh-CN" when the first Chinese-or-English entry of the browser's languages is Chinese, else "en". */
export function chooseLanguage(languages = navigator.languages ?? [navigator.language]) {
  for (const tag of languages) {
    const primary = String(tag).toLowerCase().split("-")[0];
    if (primary === "zh") {
      return "zh-CN";
    }
    if (primary === "en") {
      return "en";
    }
  }
  return "en";
}

/** t(key, {name: value}) for one language. */
export function translator(language) {
  const messages = MESSAGES[language] ?? MESSAGES.en;
  return (key, values = {}) => messages[key].replace(/\{(\w+)\}/g, (_, name) => String(values[name]));
}

/** Fills the page's fixed text: data-i18n (text), data-i18n-placeholder, data-i18n-label (aria-label). */
export function translateDocument(language, t) {
  document.documentElement.lang = language;
  document.title = t("documentTitle");
  for (const element of document.querySelectorAll("[data-i18n]")) {
    element.textContent = t(element.dataset.i18n);
  }
  for (const element of document.querySelectorAll("[data-i18n-placeholder]")) {
    element.placeholder = t(element.dataset.i18nPlaceholder);
  }
  for (const element of document.querySelectorAll("[data-i18n-label]")) {
    element.setAttribute("aria-label", t(element.dataset.i18nLabel));
  }
}
