/**
 * Command-line tools for people: {@link io.herald.scheduler.cli.PreviewCommand} lists the next
 * occurrences of a rule, from flags or from a stored row, so a user can check a schedule before
 * saving it.
 *
 * <p>Translates arguments and rows into {@code rule} types and prints; the timing logic stays in
 * {@code io.herald.scheduler.rule}. The one JDBC reader here is read-only and used only by the CLI.
 */
package io.herald.scheduler.cli;
