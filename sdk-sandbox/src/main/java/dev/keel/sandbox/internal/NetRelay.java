package dev.keel.sandbox.internal;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Carries the guest's TCP connections (accepted by the agent on the guest's loopback proxy port) over
 * the agent channel to the sandbox's {@link EgressProxy}, each one opened with the proxy's token. Frames for a connection arrive on the
 * agent reader thread; each connection has one thread reading the proxy's side. Thread-safe.
 */
final class NetRelay implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(NetRelay.class);

    private final AgentConnection agent;
    private final int proxyPort;
    private final byte[] proxyToken;
    private final String name;
    private final Map<Integer, Socket> sockets = new ConcurrentHashMap<>();

    NetRelay(AgentConnection agent, EgressProxy proxy, String name) {
        this.agent = agent;
        this.proxyPort = proxy.port();
        this.proxyToken = proxy.token();
        this.name = name;
    }

    void onFrame(AgentConnection.Frame f) {
        int id = f.id();
        try {
            switch (f.type()) {
                case AgentProtocol.T_CONN_OPEN -> open(id);
                case AgentProtocol.T_CONN_DATA -> {
                    Socket s = sockets.get(id);
                    if (s != null) {
                        s.getOutputStream().write(f.payload());
                    }
                }
                case AgentProtocol.T_CONN_CLOSE -> {
                    Socket s = sockets.get(id);
                    if (s != null) {
                        s.shutdownOutput();
                    }
                }
                default -> log.debug("unexpected network frame {}", f.type());
            }
        } catch (IOException e) {
            log.debug("relay {} failed: {}", id, e.toString());
            closeGuestSide(id);
        }
    }

    private void open(int id) throws IOException {
        Socket s = new Socket();
        try {
            s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), proxyPort));
            s.getOutputStream().write(proxyToken); // the proxy serves only connections that present it
        } catch (IOException e) {
            s.close();
            agent.send(AgentProtocol.T_CONN_CLOSE, id, new byte[0]);
            throw e;
        }
        sockets.put(id, s);
        Thread reader = new Thread(() -> pump(id, s), "keel-sandbox-net-" + name);
        reader.setDaemon(true);
        reader.start();
    }

    private void pump(int id, Socket s) {
        byte[] buf = new byte[32768];
        try (InputStream in = s.getInputStream()) {
            int n;
            while ((n = in.read(buf)) >= 0) {
                agent.send(AgentProtocol.T_CONN_DATA, id, Arrays.copyOf(buf, n));
            }
        } catch (IOException e) {
            log.debug("relay {} ended: {}", id, e.toString());
        } finally {
            closeGuestSide(id);
            sockets.remove(id);
            try {
                s.close();
            } catch (IOException ignored) {
                // closed
            }
        }
    }

    private void closeGuestSide(int id) {
        try {
            agent.send(AgentProtocol.T_CONN_CLOSE, id, new byte[0]);
        } catch (IOException ignored) {
            // the VM is gone
        }
    }

    @Override
    public void close() {
        for (Socket s : sockets.values()) {
            try {
                s.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
        sockets.clear();
    }
}
