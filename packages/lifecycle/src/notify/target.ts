/**
 * One way of telling the app about an event. `send` throws when the app was not told, and is then
 * retried; it may resolve with facts worth logging (the status, the pids signalled).
 */
export interface NotificationTarget<Event> {
  /** Names the target in logs and metric labels; never holds credentials. */
  readonly label: string;
  send(event: Event, signal: AbortSignal): Promise<Record<string, unknown> | undefined>;
}
