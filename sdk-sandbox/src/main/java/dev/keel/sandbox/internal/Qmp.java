package dev.keel.sandbox.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keel.core.internal.json.Json;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * A minimal QEMU Machine Protocol client over a unix socket: one command at a time, events skipped.
 * Thread-safe (commands are serialised).
 */
final class Qmp implements AutoCloseable {
    private final SocketChannel channel;
    private final BufferedReader in;
    private final OutputStream out;

    private Qmp(SocketChannel channel) throws IOException {
        this.channel = channel;
        this.in = new BufferedReader(new InputStreamReader(Channels.newInputStream(channel), StandardCharsets.UTF_8));
        this.out = Channels.newOutputStream(channel);
        String greeting = in.readLine();
        if (greeting == null || !greeting.contains("QMP")) {
            throw new IOException("no QMP greeting");
        }
        execute("qmp_capabilities");
    }

    static Qmp connect(Path socket) throws IOException {
        SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            ch.connect(UnixDomainSocketAddress.of(socket));
            return new Qmp(ch);
        } catch (IOException e) {
            ch.close();
            throw e;
        }
    }

    /** Runs a command without arguments and returns its {@code return} value. */
    JsonNode execute(String command) throws IOException {
        return execute(command, null);
    }

    /** Runs a command; {@code arguments} is a JSON object text or {@code null}. */
    synchronized JsonNode execute(String command, String arguments) throws IOException {
        String request = "{\"execute\":\"" + command + "\"" + (arguments == null ? "" : ",\"arguments\":" + arguments) + "}\n";
        out.write(request.getBytes(StandardCharsets.UTF_8));
        out.flush();
        while (true) {
            String line = in.readLine();
            if (line == null) {
                throw new IOException("QMP connection closed during " + command);
            }
            JsonNode reply = Json.parse(line);
            if (reply.has("return")) {
                return reply.get("return");
            }
            if (reply.has("error")) {
                throw new IOException("QMP " + command + " failed: " + reply.get("error").path("desc").asText());
            }
            // an asynchronous event: not ours
        }
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException ignored) {
            // already gone
        }
    }
}
