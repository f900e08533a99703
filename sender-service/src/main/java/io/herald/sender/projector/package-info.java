/**
 * Projects {@code herald.delivery-results} into the state columns the sender owns (totals, log row
 * counts, broadcast progress), recomputed from the deliveries table so a replay never double
 * counts. One of the two packages that may touch JDBC.
 */
package io.herald.sender.projector;
