/** The real SpiceDB in-process: {@link dev.keel.authz.embedded.EmbeddedSpiceDb}. */
package dev.keel.authz.embedded;
