/** JSON serialization of the contracts: one configured mapper and a stateless serde. */
package io.herald.contracts.serde;
