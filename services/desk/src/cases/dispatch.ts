/**
 * Return and merge follow the router's contract: the router owns how a returned case is
 * re-dispatched and how duplicates join their parent, and the desk calls its helpers inside its own
 * `inCaseTransaction`, so the change, its event, its audit row and its jobs commit together.
 */
export { mergeCase, returnCase } from '@samtal/router';
