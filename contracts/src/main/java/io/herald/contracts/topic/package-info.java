/** The typed topic catalogue: names, key meanings and serdes, as immutable constants. */
package io.herald.contracts.topic;
