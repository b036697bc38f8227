import { commandFor } from '../../base-command.js';
import { snapshotGc } from '../../ops/maintenance.js';

export default commandFor(snapshotGc);
