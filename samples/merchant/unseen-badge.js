/**
 * Shows how many orders no person has seen yet in the tab: "(3) Orders · OrderRelay", and
 * the icon with a red count, so a merchant working in another tab notices them.
 */
export class UnseenBadge {
  constructor(baseTitle) {
    this.baseTitle = baseTitle;
    this.icon = document.querySelector("link[rel~='icon']");
    this.plainIcon = this.icon.getAttribute("href");
    this.count = -1;
  }

  show(count) {
    if (count === this.count) {
      return;
    }
    this.count = count;
    document.title = count > 0 ? `(${count}) ${this.baseTitle}` : this.baseTitle;
    this.icon.setAttribute("href", count > 0 ? UnseenBadge.iconWithCount(count) : this.plainIcon);
  }

  /** favicon.svg's basket with the count on a red disc, as a data: URL. */
  static iconWithCount(count) {
    const text = count > 99 ? "99+" : String(count);
    const size = text.length > 2 ? 9 : text.length > 1 ? 12 : 14;
    const svg = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32">` +
      `<rect width="32" height="32" rx="7" fill="#1f6f5c"/>` +
      `<path d="M8 11h16l-2 11H10z" fill="none" stroke="#fff" stroke-width="2.4" stroke-linejoin="round"/>` +
      `<circle cx="22" cy="10" r="10" fill="#d22d2d"/>` +
      `<text x="22" y="10" dy="0.35em" text-anchor="middle" font-family="Arial,sans-serif" font-weight="700" font-size="${size}" fill="#fff">${text}</text>` +
      `</svg>`;
    return `data:image/svg+xml,${encodeURIComponent(svg)}`;
  }
}
