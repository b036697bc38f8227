import { commandFor } from '../base-command.js';
import { batch } from '../ops/agent.js';

export default commandFor(batch);
