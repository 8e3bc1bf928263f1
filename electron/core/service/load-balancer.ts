// What the controller needs from the load balancer: the servers of one backend, and how to add, drain and remove them.

export interface ServerView {
  name: string;
  address: string;
  port: number;
  /** HAProxy sees it UP (its health check passes). */
  up: boolean;
  draining: boolean;
  maint: boolean;
}

export interface LoadBalancer {
  /** The backend's servers, or rejects when HAProxy does not answer. */
  servers(): Promise<ServerView[]>;
  /**
   * Adds a server with health checks on (on its own healthPath, when given), ready for traffic once its check passes;
   * with inRotation false it is checked but gets no new requests (a warm spare) until `ready`.
   */
  add(name: string, host: string, port: number, healthPath?: string, options?: { inRotation?: boolean }): Promise<void>;
  /** Stops new requests to the server; in-flight ones finish. */
  drain(name: string): Promise<void>;
  /** Puts a drained (or maintenance) server back in rotation; rampUp: through the slow start a new server gets. */
  ready(name: string, options?: { rampUp?: boolean }): Promise<void>;
  /** Requests in flight or queued on the server; null when it cannot be read. */
  sessions(name: string): Promise<number | null>;
  /** Takes the server out of the backend (maintenance, then delete). */
  remove(name: string, timeoutMs: number): Promise<void>;
  /** Requests the load balancer holds because no server is up (scale from zero). */
  heldRequests(): Promise<number>;
}
