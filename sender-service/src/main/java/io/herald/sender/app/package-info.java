/**
 * Wiring and lifecycle: {@code SenderApp.main} builds the components from {@code SenderConfig},
 * picks the transport adapters, starts them in dependency order and closes them in reverse. The
 * only package that knows which adapters run.
 */
package io.herald.sender.app;
