/**
 * Server-rendered HTML: every page a string built from read-model records, every value escaped,
 * payloads bounded and masked. No JavaScript; one inline style sheet.
 */
package io.herald.console.view;
