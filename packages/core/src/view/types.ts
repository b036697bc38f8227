/** The shapes the view answers with. Ids are raw bytes; times unix ms. */
import type { DepType, IssueState } from '../event.js';
import type { IssueAttachment, IssueComment, IssueLink } from '../projection/index.js';

export interface IssueSummary {
  issueId: Uint8Array;
  title: string;
  state: IssueState;
  /** Sorted by UTF-8 bytes. */
  labels: string[];
  /** Sorted by UTF-8 bytes. */
  assignees: string[];
  updatedTs: number;
  createdTs: number;
  commentCount: number;
}

/** An outgoing dependency of an issue, with its target when that exists. */
export interface IssueDependencyDetail {
  target: Uint8Array;
  depType: DepType;
  /** null when the target issue does not exist (yet). */
  title: string | null;
  state: IssueState | null;
}

export interface IssueDetail extends IssueSummary {
  body: string;
  createdBy: Uint8Array;
  comments: IssueComment[];
  links: IssueLink[];
  attachments: IssueAttachment[];
  /** Sorted by (target bytes, dep type). */
  dependencies: IssueDependencyDetail[];
  eventCount: number;
}

export type IssueSort = 'updated' | 'created' | 'id' | 'title';
export type SortOrder = 'asc' | 'desc';

export interface IssueQuery {
  state?: IssueState;
  /** Every label must be present. */
  labels?: string[];
  assignee?: string;
  /**
   * Full-text search over title, body and comments: every white-space
   * separated piece must match as a word prefix, case- and
   * diacritic-insensitive. Plain text: FTS syntax is not interpreted.
   */
  text?: string;
  /** Default 'updated'. */
  sort?: IssueSort;
  /** Default 'desc' for updated and created, 'asc' for id and title. */
  order?: SortOrder;
  /** Page size; undefined or 0 means every matching issue. */
  limit?: number;
  /** The nextCursor of the previous page of the same query. */
  cursor?: string | null;
}

export interface IssueListResult {
  issues: IssueSummary[];
  /** All issues matching the filters (ignores limit and cursor). */
  total: number;
  /** null on the last page. */
  nextCursor: string | null;
}

export interface TopoFilter {
  state?: IssueState;
  labels?: string[];
  assignee?: string;
}

/** One edge as `listDeps` reports it, seen from the issue asked about. */
export interface DepListEntry {
  /** The other issue: the target for 'out', the source for 'in'. */
  issueId: Uint8Array;
  depType: DepType;
  /** null when that issue does not exist (yet). */
  title: string | null;
  state: IssueState | null;
}

export interface ViewStats {
  path: string;
  /** view.sqlite plus its -wal file. */
  sizeBytes: number;
  schemaVersion: number;
  eventCount: number;
  issueCount: number;
  walHead: string | null;
  appliedCommits: number;
}

export interface ApplyResult {
  /** Events new to the view (duplicates of stored ones are not counted). */
  eventsApplied: number;
  /** Issues re-projected. */
  issuesTouched: number;
}
