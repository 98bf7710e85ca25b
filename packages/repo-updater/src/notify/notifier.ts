/** A new commit is behind the link: what every notification carries. */
export interface PublishEvent {
  commit: string;
  /** The ref as configured, e.g. `main` or `HEAD`. */
  ref: string;
  /** The published worktree (absolute). */
  path: string;
}

/** One way to tell the app; `send` throws when the app did not take it, and is retried. */
export interface Notifier {
  /** The hook label of metrics and logs: http, command or touch. */
  readonly hook: string;
  send(event: PublishEvent, signal: AbortSignal): Promise<void>;
}
