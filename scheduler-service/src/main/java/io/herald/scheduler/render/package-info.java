/**
 * Per-recipient rendering of message templates (variables and spintax). Pure: imports only java.*
 * and the contracts' limits, and never reads a clock; the occurrence instant and the random seed
 * come in. Any template renders in linear time with a bounded call stack.
 */
package io.herald.scheduler.render;
