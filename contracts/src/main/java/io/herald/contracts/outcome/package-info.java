/** What happened: fired occurrences, delivery results and schedule errors. */
package io.herald.contracts.outcome;
