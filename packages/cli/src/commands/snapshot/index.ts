import { commandFor } from '../../base-command.js';
import { snapshotCreate } from '../../ops/maintenance.js';

export default commandFor(snapshotCreate);
