import { commandFor } from '../base-command.js';
import { doctor } from '../ops/maintenance.js';

export default commandFor(doctor);
