package dev.keel.agents.internal.askpass;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * The askpass helper sudo runs ({@code SUDO_ASKPASS}): {@code AskpassClient SOCKET PROMPT}. It sends the
 * per-command token (from the environment, never from argv, which every local user can read in {@code /proc}) and
 * sudo's prompt to the shell toolset's {@link AskpassBroker} over its Unix domain socket, and prints the password
 * it gets back on stdout, for sudo to read. A refusal, or any failure, is a message on stderr and exit status 1,
 * so sudo fails as it does without a password.
 *
 * <p>Runs in a JVM of its own from a copy of this one class file, so it uses nothing but {@code java.base}: no
 * other Keel class, no nested class, no logging.
 */
public final class AskpassClient {
    /** The environment variable holding the command's token. */
    public static final String TOKEN_VARIABLE = "KEEL_ASKPASS_TOKEN";
    /** The first line of every request. */
    static final String PROTOCOL = "KEEL-ASKPASS 1";
    /** The longest reply read: a status line and a password. */
    static final int MAX_REPLY = 4096;

    private AskpassClient() {}

    /**
     * Asks the broker.
     *
     * @param args the socket's path and sudo's prompt
     */
    public static void main(String[] args) {
        int status;
        try {
            status = run(args);
        } catch (IOException | RuntimeException e) {
            System.err.println("keel askpass: cannot reach the agent's shell toolset (" + e.getClass().getSimpleName()
                    + "); was it closed?");
            status = 1;
        }
        System.exit(status); // the helper's own process: its status is what sudo reads
    }

    private static int run(String[] args) throws IOException {
        String token = System.getenv(TOKEN_VARIABLE);
        if (args.length < 1 || token == null || token.isEmpty()) {
            System.err.println("keel askpass: not started by sudo under an agent's shell command (no token)");
            return 1;
        }
        String prompt = args.length > 1 ? args[1] : "";
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            channel.connect(UnixDomainSocketAddress.of(Path.of(args[0])));
            byte[] request = (PROTOCOL + "\n" + token + "\n" + oneLine(prompt) + "\n")
                    .getBytes(StandardCharsets.UTF_8);
            ByteBuffer out = ByteBuffer.wrap(request);
            while (out.hasRemaining()) {
                channel.write(out);
            }
            InputStream in = Channels.newInputStream(channel);
            byte[] reply = in.readNBytes(MAX_REPLY);
            try {
                return answer(reply);
            } finally {
                Arrays.fill(reply, (byte) 0);
            }
        }
    }

    /** {@code OK\n<password>\n}: the password on stdout; {@code NO <why>\n}: the reason on stderr. */
    private static int answer(byte[] reply) throws IOException {
        if (reply.length > 3 && reply[0] == 'O' && reply[1] == 'K' && reply[2] == '\n') {
            OutputStream stdout = System.out;
            stdout.write(reply, 3, reply.length - 3);
            stdout.flush();
            return 0;
        }
        String why = reply.length > 3 && reply[0] == 'N' && reply[1] == 'O'
                ? new String(reply, 3, reply.length - 3, StandardCharsets.UTF_8).strip()
                : "the agent's shell toolset refused the request";
        System.err.println("keel askpass: " + why);
        return 1;
    }

    private static String oneLine(String s) {
        String line = s.replace('\n', ' ').replace('\r', ' ');
        return line.length() > 512 ? line.substring(0, 512) : line;
    }
}
