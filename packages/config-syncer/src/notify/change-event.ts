/** What changed in one publish: sent to the app in the webhook body and the command's env. */
export interface ChangeEvent {
  /** Identifies the whole published set; changes when any file does. */
  revision: string;
  changed: string[];
  removed: string[];
  targetDir: string;
}
