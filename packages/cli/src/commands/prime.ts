import { commandFor } from '../base-command.js';
import { prime } from '../ops/agent.js';

export default commandFor(prime);
