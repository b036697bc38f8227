import { commandFor } from '../../base-command.js';
import { snapshotList } from '../../ops/maintenance.js';

export default commandFor(snapshotList);
