/**
 * Money, numbers and times in the browser's own locale (its first language), whatever
 * language the page's words are in: a German browser reading the English page still
 * writes 1.234,50.
 */

/** With the order's ISO 4217 currency when it names one (¥100.00, CN¥100.00, 100,00 €), else two decimals. */
export function formatAmount(value, currency) {
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

export function formatCount(count) {
  return count.toLocaleString();
}

/** Today's times as hh:mm:ss, older ones with their date. */
export function formatTime(ts) {
  const date = new Date(ts);
  if (Number.isNaN(date.getTime())) {
    return "";
  }
  return localDay(date) === localDay(new Date())
    ? date.toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit", second: "2-digit" })
    : date.toLocaleString(undefined, { dateStyle: "short", timeStyle: "short" });
}

export function formatClock(ts) {
  const date = new Date(ts);
  return Number.isNaN(date.getTime()) ? "" : date.toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit" });
}

export function localDay(date) {
  return `${date.getFullYear()}-${date.getMonth() + 1}-${date.getDate()}`;
}
