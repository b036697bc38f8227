// The materialized view (DESIGN.md section 4): view.sqlite, queries for agents.
export { View, EVENT_COLUMNS, eventFromRow, type EventRow, type ViewOptions, type ApplyOptions } from './view.js';
export { VIEW_SCHEMA_VERSION } from './schema.js';
export type {
  IssueSummary,
  IssueDetail,
  IssueDependencyDetail,
  IssueQuery,
  IssueSort,
  SortOrder,
  IssueListResult,
  TopoFilter,
  DepListEntry,
  ViewStats,
  ApplyResult,
} from './types.js';
