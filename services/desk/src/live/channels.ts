/**
 * Redis pub/sub channels the desk instances share. Case events have their own channel in
 * `@samtal/cases` (every service that commits events announces there).
 */
export function presenceChannel(prefix: string): string {
  return `${prefix}:presence`;
}

export function chatChannel(prefix: string): string {
  return `${prefix}:chat`;
}

/** Sorted set of one staff member's open live sockets (member: socket id, score: expiry in ms). */
export function liveSocketsKey(prefix: string, userId: string): string {
  return `${prefix}:live:sockets:${userId}`;
}

export function liveTicketKey(prefix: string, ticketHash: string): string {
  return `${prefix}:live:ticket:${ticketHash}`;
}
