/**
 * Keel authz: a ReBAC client with SpiceDB semantics (remote over gRPC or embedded), and fail-closed
 * post-filtering of retrieved chunks.
 *
 * <p>The SpiceDB wire messages are encoded by Keel itself (internal), so neither protobuf-java nor
 * generated stubs are on the module graph; gRPC (grpc-api, grpc-stub, grpc-netty-shaded) and JNA are
 * used as automatic modules and are never exposed in the API.
 */
module dev.keel.authz {
    requires transitive dev.keel.core;
    requires org.slf4j;
    requires com.fasterxml.jackson.databind;
    requires com.sun.jna;
    requires io.grpc;
    requires io.grpc.stub;
    requires io.grpc.netty.shaded;

    exports dev.keel.authz;
    exports dev.keel.authz.embedded;
    exports dev.keel.authz.remote;
    exports dev.keel.authz.filter;
}
