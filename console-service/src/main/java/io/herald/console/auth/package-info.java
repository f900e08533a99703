/**
 * Who may use the console: the tokens file, in-memory sessions with their CSRF tokens. No HTTP
 * types here.
 */
package io.herald.console.auth;
