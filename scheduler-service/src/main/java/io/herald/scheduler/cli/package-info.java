/**
 * Command-line tools for people: {@link io.herald.scheduler.cli.PreviewCommand} lists the next
 * occurrences of a rule, from flags or from a stored row, so a user can check a schedule before
 * saving it; with {@code --dry-run} it shows what a stored definition's next occurrence would send.
 *
 * <p>Translates arguments and rows into {@code rule} types and prints; the timing logic stays in
 * {@code io.herald.scheduler.rule}. The dry run maps rows through {@code cdc.ColumnMapping} and
 * resolves recipients through {@code topology.RecipientResolver}, the service's own code, and
 * repeats only the sender's send-time rules (window choice, admission, pacing), which this module
 * cannot import. The JDBC readers here are read-only and used only by the CLI.
 */
package io.herald.scheduler.cli;
