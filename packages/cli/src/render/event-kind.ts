/**
 * An event's kind as JSON: `{"<KindName>": {fields}}`, fields in snake_case,
 * bytes as hex (DESIGN.md section 8). Records of kinds this build does not
 * know render as `{"Unknown": {tag, payload_cbor}}`.
 */
import {
  AssigneeAdded,
  AssigneeRemoved,
  AttachmentAdded,
  CodeSymbol,
  CommentAdded,
  ContextUpdated,
  DependencyAdded,
  DependencyRemoved,
  Event,
  EventKind,
  IssueCreated,
  IssueState,
  IssueUpdated,
  LabelAdded,
  LabelRemoved,
  LinkAdded,
  ProjectContextUpdated,
  StateChanged,
  UnknownKind,
  bytesToHex,
} from '@grite/protocol';
import { DEP_TYPE_NAMES, type Json } from './json.js';


function labels(k: IssueCreated): string[] {
  const out: string[] = [];
  for (let i = 0; i < k.labelsLength(); i++) out.push(k.labels(i));
  return out;
}

export function eventKindJson(e: Event): { [key: string]: Json } {
  switch (e.kindType()) {
    case EventKind.IssueCreated: {
      const k = e.kind(new IssueCreated()) as IssueCreated;
      return { IssueCreated: { title: k.title() ?? '', body: k.body() ?? '', labels: labels(k) } };
    }
    case EventKind.IssueUpdated: {
      const k = e.kind(new IssueUpdated()) as IssueUpdated;
      return { IssueUpdated: { title: k.title(), body: k.body() } };
    }
    case EventKind.CommentAdded:
      return { CommentAdded: { body: (e.kind(new CommentAdded()) as CommentAdded).body() ?? '' } };
    case EventKind.LabelAdded:
      return { LabelAdded: { label: (e.kind(new LabelAdded()) as LabelAdded).label() ?? '' } };
    case EventKind.LabelRemoved:
      return { LabelRemoved: { label: (e.kind(new LabelRemoved()) as LabelRemoved).label() ?? '' } };
    case EventKind.StateChanged: {
      const k = e.kind(new StateChanged()) as StateChanged;
      return { StateChanged: { state: k.state() === IssueState.closed ? 'closed' : 'open' } };
    }
    case EventKind.LinkAdded: {
      const k = e.kind(new LinkAdded()) as LinkAdded;
      return { LinkAdded: { url: k.url() ?? '', note: k.note() } };
    }
    case EventKind.AssigneeAdded:
      return { AssigneeAdded: { user: (e.kind(new AssigneeAdded()) as AssigneeAdded).user() ?? '' } };
    case EventKind.AssigneeRemoved:
      return { AssigneeRemoved: { user: (e.kind(new AssigneeRemoved()) as AssigneeRemoved).user() ?? '' } };
    case EventKind.AttachmentAdded: {
      const k = e.kind(new AttachmentAdded()) as AttachmentAdded;
      return { AttachmentAdded: { name: k.name() ?? '', sha256: bytesToHex(k.sha256Array()), mime: k.mime() ?? '' } };
    }
    case EventKind.DependencyAdded: {
      const k = e.kind(new DependencyAdded()) as DependencyAdded;
      return { DependencyAdded: { target: bytesToHex(k.targetArray()), dep_type: DEP_TYPE_NAMES[k.depType()] } };
    }
    case EventKind.DependencyRemoved: {
      const k = e.kind(new DependencyRemoved()) as DependencyRemoved;
      return { DependencyRemoved: { target: bytesToHex(k.targetArray()), dep_type: DEP_TYPE_NAMES[k.depType()] } };
    }
    case EventKind.ContextUpdated: {
      const k = e.kind(new ContextUpdated()) as ContextUpdated;
      const symbols: Json[] = [];
      const s = new CodeSymbol();
      for (let i = 0; i < k.symbolsLength(); i++) {
        k.symbols(i, s);
        symbols.push({ name: s.name() ?? '', kind: s.kind() ?? '', line_start: s.lineStart(), line_end: s.lineEnd() });
      }
      return {
        ContextUpdated: {
          path: k.path() ?? '',
          language: k.language() ?? '',
          symbols,
          summary: k.summary() ?? '',
          content_hash: bytesToHex(k.contentHashArray()),
        },
      };
    }
    case EventKind.ProjectContextUpdated: {
      const k = e.kind(new ProjectContextUpdated()) as ProjectContextUpdated;
      return { ProjectContextUpdated: { key: k.key() ?? '', value: k.value() ?? '' } };
    }
    case EventKind.UnknownKind: {
      const k = e.kind(new UnknownKind()) as UnknownKind;
      return { Unknown: { tag: k.tag(), payload_cbor: bytesToHex(k.payloadCborArray()) } };
    }
    default:
      return { Unknown: { tag: -1, payload_cbor: '' } };
  }
}
