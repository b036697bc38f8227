import { commandFor } from '../base-command.js';
import { exportOp } from '../ops/maintenance.js';

export default commandFor(exportOp);
