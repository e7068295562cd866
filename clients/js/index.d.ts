/** Where a subscriber stands in the relay's sequence: resume from it with `since`/`epoch`. */
export interface Position {
  epoch: string;
  /** The last seq taken (0: from the oldest order the relay keeps). */
  since: number;
}

export type ConnectionState = "idle" | "connecting" | "live" | "reconnecting" | "refused" | "stopped";

export interface WelcomeFrame {
  type: "welcome";
  role: "subscriber";
  connection_id: string;
  epoch: string;
  seq: number;
  merchants: string[] | null;
  /** false: the relay could not replay everything after `since`; orders may be missing. */
  recovered?: boolean;
  /** When the relay escalates: how long after arrival an order not accepted is escalated. */
  escalation_after_ms?: number;
  [field: string]: unknown;
}

export interface OrderFrame<TOrder = Record<string, unknown>> {
  type: "order";
  seq: number;
  merchant_id: string | null;
  /** When the relay accepted the order (UTC, ISO 8601 with milliseconds). */
  ts: string;
  /** The order exactly as the publisher sent it. */
  order: TOrder;
}

export interface AcceptedFrame {
  type: "accepted";
  seq: number;
  merchant_id: string | null;
  /** When a person first accepted the order. */
  at: string;
}

export interface ErrorFrame {
  type: "error";
  code: string;
  message: string;
  id?: string;
}

export interface WelcomeInfo {
  /** The hello carried since/epoch. */
  resumed: boolean;
  /** false only when resumed and the relay answered recovered:false. */
  recovered: boolean;
  position: Position;
}

export interface RelayClientOptions<TOrder = Record<string, unknown>> {
  /** The relay's WebSocket address, e.g. "wss://relay.example/". */
  url: string;
  /** Subscriber token (HS256 JWT); omit in open mode. */
  token?: string;
  /** Merchant ids to receive; omit or empty for every merchant the token allows. */
  merchants?: string[];
  /** Where to resume from, e.g. kept in localStorage from an earlier visit; omit on a first visit. */
  resumeFrom?: Position | null;
  /** Confirm each order with `ack` after onOrder returns (default true). */
  autoAck?: boolean;
  /** A WebSocket implementation other than globalThis.WebSocket. */
  WebSocket?: { new (url: string): WebSocket };
  /** "reconnecting": detail is the seconds left; "refused": detail is the relay's reason. */
  onState?(state: ConnectionState, detail?: string | number): void;
  onWelcome?(frame: WelcomeFrame, info: WelcomeInfo): void;
  /** A new order, in seq order, never twice; `position` is where to resume after it. Throw to leave it unconfirmed. */
  onOrder?(frame: OrderFrame<TOrder>, position: Position): void;
  /** A person accepted the order (on this page or another page of its merchant). */
  onAccepted?(frame: AcceptedFrame): void;
  /** An error after welcome; `abandonedAccepts`: the accepts it ended, to offer again. */
  onError?(frame: ErrorFrame, info: { abandonedAccepts: number[] }): void;
}

export declare class RelayClient<TOrder = Record<string, unknown>> {
  constructor(options: RelayClientOptions<TOrder>);
  /** The current state, as last given to onState. */
  readonly state: ConnectionState;
  /** Where the client would resume from now; null before the first welcome without resumeFrom. */
  readonly position: Position | null;
  /** Seqs accepted by a person and not yet answered `accepted` by the relay. */
  readonly pendingAccepts: ReadonlySet<number>;
  /** Connects, and keeps connecting until stop() or a refusal. */
  start(): void;
  /** Closes the connection (1000) and stops reconnecting. */
  stop(): void;
  /**
   * Sends {"type":"accept","seq":seq}: now when live, else after the next welcome, and again
   * after every reconnection until the relay answers `accepted`. True when sent at once.
   */
  accept(seq: number): boolean;
  /** When waiting to reconnect, try now. */
  reconnectNow(): void;
}
