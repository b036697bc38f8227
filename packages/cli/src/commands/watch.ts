import { commandFor } from '../base-command.js';
import { opById } from '../ops/index.js';

export default commandFor(opById('watch'));
