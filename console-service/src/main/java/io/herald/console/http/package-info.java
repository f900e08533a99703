/**
 * HTTP: the JDK server, who is asking (sessions, bearer tokens, client certificates), CSRF,
 * security headers, and the routes to the pages.
 */
package io.herald.console.http;
