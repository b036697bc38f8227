import { commandFor } from '../../base-command.js';
import { issueClaim } from '../../ops/agent.js';

export default commandFor(issueClaim);
