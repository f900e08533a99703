/** Input events: schedule definitions, devices and contacts. Imports only Jackson and java.*. */
package io.herald.contracts.event;
