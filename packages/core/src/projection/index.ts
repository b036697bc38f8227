// The CRDT projection (DESIGN.md section 3): pure functions of a set of events.
export { compareEvents, sortEvents } from './order.js';
export {
  projectIssue,
  type IssueProjection,
  type IssueComment,
  type IssueLink,
  type IssueAttachment,
  type IssueDependency,
} from './issue.js';
export { project, type Projection } from './project.js';
export {
  waitOf,
  wouldCreateCycle,
  analyzeDependencies,
  findCycles,
  topoOrder,
  readyIssues,
  dependencyEdges,
  type DependencyEdge,
  type DependencyAnalysis,
} from './graph.js';
