package dev.keel.integration.agents;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;

/** A loopback HTTP/1.1 server answering every request with one text body; counts requests. For fetch tests. */
final class TinyHttpServer implements AutoCloseable {
    private final ServerSocket socket;
    private final Thread thread;

    private TinyHttpServer(String body, AtomicInteger requests) throws IOException {
        socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        thread = new Thread(() -> {
            while (!socket.isClosed()) {
                try (Socket s = socket.accept()) {
                    BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.ISO_8859_1));
                    String line;
                    while ((line = in.readLine()) != null && !line.isEmpty()) {
                        // headers: ignored
                    }
                    requests.incrementAndGet();
                    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
                    OutputStream out = s.getOutputStream();
                    out.write(("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: " + bytes.length
                            + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
                    out.write(bytes);
                    out.flush();
                } catch (IOException e) {
                    // closed, or a client gave up: keep serving until closed
                }
            }
        }, "tiny-http");
        thread.setDaemon(true);
        thread.start();
    }

    static TinyHttpServer serving(String body, AtomicInteger requests) throws IOException {
        return new TinyHttpServer(body, requests);
    }

    int port() {
        return socket.getLocalPort();
    }

    @Override
    public void close() throws IOException {
        socket.close();
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
