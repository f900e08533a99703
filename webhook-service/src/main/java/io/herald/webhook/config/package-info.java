/** The receiver's settings from environment variables; imports only java.* and runtime's config. */
package io.herald.webhook.config;
