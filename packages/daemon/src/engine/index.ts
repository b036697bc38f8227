/**
 * @grite/daemon/engine: IpcRequest in, IpcResponse out, over core's Store.
 * The daemon hosts it; the CLI loads it in-process when no daemon serves.
 */
export { Engine, type EngineNotification, type EngineOptions } from './engine.js';
export { DISPATCH, dispatchEntry, commandName, type DispatchEntry } from './dispatch.js';
export { DEFAULT_PAGE } from './handlers/issue-list.js';
export { DEFAULT_EVENT_PAGE } from './handlers/issue-show.js';
