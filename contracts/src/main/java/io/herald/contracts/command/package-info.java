/** Send-commands and their deterministic identity. Imports only Jackson and java.*. */
package io.herald.contracts.command;
