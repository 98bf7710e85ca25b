/** A new commit is behind the link: what every notification carries. */
export interface PublishEvent {
  commit: string;
  /** The ref as configured, e.g. `main` or `HEAD`. */
  ref: string;
  /** The published worktree (absolute). */
  path: string;
}
