/**
 * Per-recipient rendering of message templates (variables and spintax). Pure: imports only
 * java.* and never reads a clock; the occurrence instant and the random seed come in.
 */
package io.herald.scheduler.render;
