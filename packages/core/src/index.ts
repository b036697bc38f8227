// The public surface of @grite/core: everything exported here, nothing else.
export * from './event.js';
export * from './errors.js';
export * from './codec/index.js';
export * from './git/index.js';
export * from './repo/index.js';
export * from './projection/index.js';
export * from './view/index.js';
export * from './store.js';
export * from './sync/index.js';
export * from './locks/index.js';
export * from './snapshot/index.js';
export * from './doctor/index.js';
export * from './export/index.js';
