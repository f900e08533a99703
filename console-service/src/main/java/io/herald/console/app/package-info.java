/** The console's process: configuration, wiring, start and stop order. */
package io.herald.console.app;
