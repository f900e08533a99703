/**
 * The documented bounds of everything a tenant or another service can put into Herald, and the one
 * way error texts derived from input are kept short. Every service checks input against {@link
 * io.herald.contracts.limit.Limits} and builds user-visible error texts with {@link
 * io.herald.contracts.limit.ErrorTexts}, so no output grows with its input.
 */
package io.herald.contracts.limit;
