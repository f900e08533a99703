/**
 * What the console changes, each with its audit row in the same transaction: resuming a device (the
 * code {@code herald resume-device} runs too) and replaying a dead letter once.
 */
package io.herald.console.action;
