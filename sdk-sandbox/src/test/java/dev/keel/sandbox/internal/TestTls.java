package dev.keel.sandbox.internal;

import java.security.KeyStore;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/** TLS material for tests: a stand-in public CA that issues the loopback test servers' certificates. */
public final class TestTls {
    private final SandboxCa ca = new SandboxCa("test-upstream");

    /** Server side for a test HTTPS server at {@code host}. */
    public SSLContext serverContext(String host) {
        return ca.context(host);
    }

    /** A client context that trusts this CA only. */
    public SSLContext clientContext() {
        return trusting(ca);
    }

    static SSLContext trusting(SandboxCa ca) {
        try {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            ks.setCertificateEntry("ca", ca.certificate());
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(ks);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, tmf.getTrustManagers(), null);
            return ctx;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
