/** What changed in one publish: sent to the app in the webhook body and the command's env. */
export interface ChangeEvent {
  /** Identifies the whole published set; changes when any file does. */
  revision: string;
  changed: string[];
  removed: string[];
  targetDir: string;
}

/**
 * One way of telling the app. `send` throws when the app was not told, and is then retried; it may
 * resolve with facts worth logging (the status, the pids signalled).
 */
export interface Notifier {
  /** Names the notifier in logs and metric labels; never holds credentials. */
  readonly label: string;
  send(event: ChangeEvent, signal: AbortSignal): Promise<Record<string, unknown> | undefined>;
}
