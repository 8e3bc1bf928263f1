// A service's request rate from its backend's cumulative request count: the requests it served, whichever frontend
// (its own or the shared one) they came through, and none of another service's.

export interface RequestCount {
  /** The backend's cumulative HTTP requests (`show stat` req_tot). */
  total: number;
  /** When it was read, in epoch ms. */
  at: number;
}

/**
 * Requests per second between two readings; null when there is no earlier reading, no time between them, or the
 * counter went back (HAProxy restarted, or a reload's new worker started counting afresh): the rate is then unknown,
 * and an unknown metric never scales down.
 */
export function requestRate(previous: RequestCount | null, current: RequestCount): number | null {
  if (previous === null || current.at <= previous.at || current.total < previous.total) return null;
  return (current.total - previous.total) / ((current.at - previous.at) / 1000);
}
