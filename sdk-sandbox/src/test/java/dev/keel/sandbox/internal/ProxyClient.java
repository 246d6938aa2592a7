package dev.keel.sandbox.internal;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;

/** Connects to an egress proxy the way the sandbox's relay does: with the proxy's token first. */
public final class ProxyClient {
    private ProxyClient() {}

    static Socket open(EgressProxy proxy) throws IOException {
        Socket s = new Socket(InetAddress.getLoopbackAddress(), proxy.port());
        s.getOutputStream().write(proxy.token());
        return s;
    }

    /** The egress proxy's port of a sandbox (for tests that attack it from elsewhere), or -1 without one. */
    public static int proxyPortOf(dev.keel.sandbox.Sandbox box) {
        EgressProxy p = ((QemuSandbox) box).egressProxy();
        return p == null ? -1 : p.port();
    }
}
