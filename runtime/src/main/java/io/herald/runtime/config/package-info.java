/** Typed, validated settings from environment variables; imports only java.*. */
package io.herald.runtime.config;
