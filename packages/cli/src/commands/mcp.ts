import { commandFor } from '../base-command.js';
import { mcp } from '../ops/agent.js';

export default commandFor(mcp);
