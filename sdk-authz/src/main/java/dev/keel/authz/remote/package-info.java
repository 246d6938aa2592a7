/** A SpiceDB server over gRPC: {@link dev.keel.authz.remote.RemoteSpiceDb}. */
package dev.keel.authz.remote;
