package dev.keel.agents.internal.askpass;

import dev.keel.agents.toolsets.SudoPrompter;
import java.io.IOException;
import java.io.InputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import jdk.net.ExtendedSocketOptions;
import jdk.net.UnixDomainPrincipal;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The host side of a shell toolset's {@code sudo_askpass}: a private directory (mode 0700, removed on
 * {@link #close()}) holding a Unix domain socket, the askpass helper sudo runs ({@link AskpassClient}, copied there
 * with a launcher script) and a {@code sudo} wrapper that adds {@code -A}. Each command gets a {@link Grant}: a fresh
 * random token in its environment, valid until the command ends. A connection is answered only when it comes from
 * this process's user (the socket's peer credentials, on top of the directory's mode) and presents a live token;
 * then the toolset's {@link SudoPrompter} is asked, once per connection, and the password is written to that
 * connection only and cleared. Nothing of the password is logged or kept, except a keyed hash per command so
 * that the command's output can be scrubbed of it ({@link Grant#redact(String)}). Thread-safe.
 */
public final class AskpassBroker implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(AskpassBroker.class);
    /** How long a connection may take to send its request (the helper sends it at once). */
    private static final long REQUEST_SECONDS = 10;
    private static final int MAX_REQUEST = 2048;
    /** Unix domain socket paths are limited to about 108 bytes. */
    private static final int MAX_SOCKET_PATH = 100;
    private static final String REDACTED = "[sudo password redacted]";

    private final SudoPrompter prompter;
    private final Path dir;
    private final Path socket;
    private final Path helper;
    private final Path wrappers;
    private final String owner;
    private final ServerSocketChannel server;
    private final ExecutorService handlers;
    private final ScheduledExecutorService deadlines;
    private final Map<String, Grant> grants = new ConcurrentHashMap<>();
    private final SecureRandom random = new SecureRandom();
    private volatile boolean closed;

    private AskpassBroker(SudoPrompter prompter, Path dir) throws IOException {
        this.prompter = prompter;
        this.dir = dir;
        this.socket = dir.resolve("socket");
        this.helper = dir.resolve("askpass");
        this.wrappers = dir.resolve("bin");
        this.owner = Files.getOwner(dir).getName();
        writeHelper();
        writeSudoWrapper();
        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socket));
        AtomicInteger n = new AtomicInteger();
        handlers = Executors.newCachedThreadPool(r -> daemon(r, "keel-askpass-" + n.incrementAndGet()));
        deadlines = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "keel-askpass-deadlines"));
        daemon(this::accept, "keel-askpass-accept").start();
    }

    /**
     * Creates the directory, its files and the socket, and starts answering.
     *
     * @param prompter who answers
     * @return the broker
     * @throws IOException when the directory, the helper or the socket cannot be made
     */
    public static AskpassBroker start(SudoPrompter prompter) throws IOException {
        Path dir = Files.createTempDirectory(tempRoot(), "keel-askpass-",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        try {
            return new AskpassBroker(prompter, dir);
        } catch (IOException | RuntimeException e) {
            deleteTree(dir);
            throw e;
        }
    }

    /** {@code java.io.tmpdir}, unless a socket there would have too long a path. */
    private static Path tempRoot() {
        Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
        return tmp.toAbsolutePath().toString().length() + 40 > MAX_SOCKET_PATH ? Path.of("/tmp") : tmp;
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    /**
     * The private directory.
     *
     * @return the private directory
     */
    public Path directory() {
        return dir;
    }

    /**
     * A token for one command; close it when the command ends.
     *
     * @param agent the agent running the command
     * @param sessionId its session
     * @param command the shell command
     * @return the grant
     * @throws IllegalStateException when the broker is closed
     */
    public Grant grant(String agent, String sessionId, String command) {
        if (closed) {
            throw new IllegalStateException("the askpass broker is closed");
        }
        byte[] bytes = new byte[32];
        random.nextBytes(bytes);
        String token = HexFormat.of().formatHex(bytes);
        Grant g = new Grant(key(token), token, agent, sessionId, command);
        grants.put(g.key, g);
        return g;
    }

    /** Grants are found by a hash of the token, so a lookup's timing says nothing about live tokens. */
    private static String key(String token) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(token.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    private void accept() {
        while (!closed) {
            SocketChannel channel;
            try {
                channel = server.accept();
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                if (!closed) {
                    log.warn("sudo_askpass: accepting a connection failed: {}", e.toString());
                }
                continue;
            }
            try {
                handlers.execute(() -> serve(channel));
            } catch (java.util.concurrent.RejectedExecutionException e) {
                closeQuietly(channel);
            }
        }
    }

    private void serve(SocketChannel channel) {
        try (channel) {
            String peer = peerUser(channel);
            if (peer != null && !peer.equals(owner)) {
                log.warn("sudo_askpass: refused a connection from user '{}' (only '{}' may ask)", peer, owner);
                return;
            }
            ScheduledFuture<?> deadline = deadlines.schedule(() -> closeQuietly(channel), REQUEST_SECONDS,
                    TimeUnit.SECONDS);
            String[] request = readRequest(channel);
            deadline.cancel(false);
            if (request == null || !request[0].equals(AskpassClient.PROTOCOL)) {
                log.warn("sudo_askpass: refused a malformed request");
                reply(channel, refusal("the request was malformed"));
                return;
            }
            Grant grant = grants.get(key(request[1]));
            if (grant == null) {
                log.warn("sudo_askpass: refused a request without a live command token");
                reply(channel, refusal("this token belongs to no running command of the agent's shell toolset"));
                return;
            }
            grant.answer(channel, request[2]);
        } catch (IOException | RuntimeException e) {
            log.debug("sudo_askpass: connection ended: {}", e.toString());
        }
    }

    /**
     * The connecting process's user, from the socket's peer credentials; null where the platform does not give
     * them, which leaves the directory's mode (0700: only this user can reach the socket) as the check.
     */
    private static String peerUser(SocketChannel channel) throws IOException {
        try {
            UnixDomainPrincipal peer = channel.getOption(ExtendedSocketOptions.SO_PEERCRED);
            return peer.user().getName();
        } catch (UnsupportedOperationException e) {
            return null;
        }
    }

    /** Three lines: protocol, token, prompt; null when the connection ends or sends too much first. */
    private static String[] readRequest(SocketChannel channel) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(MAX_REQUEST);
        int lines = 0;
        while (lines < 3) {
            if (!buf.hasRemaining()) {
                return null;
            }
            int before = buf.position();
            int read;
            try {
                read = channel.read(buf);
            } catch (ClosedChannelException e) {
                return null;
            }
            if (read < 0) {
                return null;
            }
            for (int i = before; i < buf.position(); i++) {
                if (buf.get(i) == '\n') {
                    lines++;
                }
            }
        }
        String text = new String(buf.array(), 0, buf.position(), StandardCharsets.UTF_8);
        String[] parts = text.split("\n", -1);
        return parts.length < 3 ? null : new String[] {parts[0], parts[1], parts[2]};
    }

    private static byte[] refusal(String why) {
        return ("NO " + why + "\n").getBytes(StandardCharsets.UTF_8);
    }

    private static void reply(SocketChannel channel, byte[] bytes) throws IOException {
        try {
            ByteBuffer out = ByteBuffer.wrap(bytes);
            while (out.hasRemaining()) {
                channel.write(out);
            }
        } finally {
            Arrays.fill(bytes, (byte) 0);
        }
    }

    private void writeHelper() throws IOException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        if (!Files.isExecutable(java)) {
            throw new IOException("no java launcher at " + java + " to run the askpass helper");
        }
        String className = AskpassClient.class.getName();
        Path classFile = dir.resolve("lib").resolve(className.replace('.', '/') + ".class");
        Files.createDirectories(classFile.getParent());
        try (InputStream in = AskpassClient.class.getResourceAsStream(AskpassClient.class.getSimpleName() + ".class")) {
            if (in == null) {
                throw new IOException("the askpass helper's class file is missing from Keel's jar");
            }
            Files.write(classFile, in.readAllBytes());
        }
        script(helper, "#!/bin/sh\n"
                + "# Keel's sudo askpass helper: asks the agent's host application for the password sudo wants.\n"
                + "unset JAVA_TOOL_OPTIONS JDK_JAVA_OPTIONS _JAVA_OPTIONS CLASSPATH\n"
                + "exec " + quote(java.toString()) + " -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -XX:-UsePerfData"
                + " -Xmx32m -cp " + quote(dir.resolve("lib").toString()) + " " + className + " "
                + quote(socket.toString()) + " \"$@\"\n");
    }

    /**
     * {@code bin/sudo}, first on the command's PATH: runs the next {@code sudo} on PATH with {@code -A}, so that
     * sudo asks through {@code SUDO_ASKPASS} whether or not the JVM has a terminal (without {@code -A}, sudo uses
     * the helper only when there is no terminal and {@code DISPLAY} is set). {@code -S} (password on stdin) is
     * left alone: sudo refuses it together with {@code -A}.
     */
    private void writeSudoWrapper() throws IOException {
        Files.createDirectories(wrappers);
        script(wrappers.resolve("sudo"), "#!/bin/sh\n"
                + "# Keel's sudo_askpass: sudo with -A, so that it asks the agent's host application for the password.\n"
                + "askpass=-A\n"
                + "skip=\n"
                + "for a in \"$@\"; do\n"
                + "  if [ -n \"$skip\" ]; then skip=; continue; fi\n"
                + "  case $a in\n"
                + "    --) break ;;\n"
                + "    --stdin) askpass=; break ;;\n"
                + "    --*=*) ;;\n"
                + "    --user|--group|--prompt|--close-from|--chdir|--chroot|--host|--role|--type|--command-timeout"
                + "|--other-user|--login-class|--auth-type) skip=1 ;;\n"
                + "    --*) ;;\n"
                + "    -?*) opts=${a#-}\n"
                + "      while [ -n \"$opts\" ]; do\n"
                + "        c=${opts%\"${opts#?}\"}; opts=${opts#?}\n"
                + "        case $c in\n"
                + "          S) askpass= ;;\n"
                + "          a|C|c|D|g|p|R|r|T|t|U|u) [ -z \"$opts\" ] && skip=1; opts= ;;\n"
                + "        esac\n"
                + "      done ;;\n"
                + "    *) break ;;\n"
                + "  esac\n"
                + "done\n"
                + "self=" + quote(wrappers.toString()) + "\n"
                + "set -f\n"
                + "IFS=:\n"
                + "for d in $PATH; do\n"
                + "  [ -n \"$d\" ] || d=.\n"
                + "  [ \"$d\" = \"$self\" ] && continue\n"
                + "  if [ -f \"$d/sudo\" ] && [ -x \"$d/sudo\" ]; then\n"
                + "    unset IFS\n"
                + "    exec \"$d/sudo\" $askpass \"$@\"\n"
                + "  fi\n"
                + "done\n"
                + "echo \"sudo: command not found\" >&2\n"
                + "exit 127\n");
    }

    private static void script(Path file, String text) throws IOException {
        Files.writeString(file, text);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwx------"));
    }

    /** POSIX single quotes: nothing inside is expanded. */
    private static String quote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }

    /** Stops answering, ends every grant (interrupting prompts in progress) and removes the directory. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        closeQuietly(server);
        new ArrayList<>(grants.values()).forEach(Grant::close);
        handlers.shutdownNow();
        deadlines.shutdownNow();
        deleteTree(dir);
    }

    private static void closeQuietly(java.io.Closeable c) {
        try {
            c.close();
        } catch (IOException e) {
            log.trace("closing", e);
        }
    }

    private static void deleteTree(Path root) {
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    log.warn("sudo_askpass: cannot remove {}: {}", p, e.toString());
                }
            });
        } catch (IOException e) {
            log.warn("sudo_askpass: cannot remove {}: {}", root, e.toString());
        }
    }

    @Override
    public String toString() {
        return "AskpassBroker[" + dir + (closed ? ", closed" : "") + ", " + grants.size() + " commands]";
    }

    /**
     * One command's right to ask: its token, who runs it, the prompts in progress and keyed hashes of the passwords
     * handed out, for redaction. Closing it (when the command ends) revokes the token and interrupts prompts still
     * waiting for the host. Thread-safe.
     */
    public final class Grant implements AutoCloseable {
        private final String key;
        private final String token;
        private final String agent;
        private final String sessionId;
        private final String command;
        private final Set<Thread> asking = ConcurrentHashMap.newKeySet();
        private final byte[] hashKey = new byte[32];
        /** Length in chars, then the keyed hash, of each password handed out. */
        private final List<Map.Entry<Integer, byte[]>> handedOut = new ArrayList<>();
        private volatile boolean open = true;

        private Grant(String key, String token, String agent, String sessionId, String command) {
            this.key = key;
            this.token = token;
            this.agent = agent;
            this.sessionId = sessionId;
            this.command = command;
            random.nextBytes(hashKey);
        }

        String token() {
            return token;
        }

        /**
         * The command's environment: {@code base} plus {@code SUDO_ASKPASS}, the token and the {@code sudo} wrapper
         * first on {@code PATH} (after {@code base}'s {@code PATH}, else the JVM's).
         *
         * @param base the toolset's environment
         * @return the command's environment
         */
        public Map<String, String> env(Map<String, String> base) {
            Map<String, String> env = new LinkedHashMap<>(base);
            String path = base.get("PATH");
            if (path == null) {
                path = System.getenv("PATH");
            }
            if (path == null || path.isEmpty()) {
                path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
            }
            env.put("PATH", wrappers + ":" + path);
            env.put("SUDO_ASKPASS", helper.toString());
            env.put(AskpassClient.TOKEN_VARIABLE, token);
            return env;
        }

        private void answer(SocketChannel channel, String prompt) throws IOException {
            if (prompter instanceof HeadlessSudoPrompter) {
                log.info("sudo_askpass: agent '{}' (session {}) asked for a sudo password; no host application "
                        + "answers here, declined", agent, sessionId);
                reply(channel, refusal("no host application answers sudo password prompts here (a headless run: "
                        + "give the team a SudoPrompter in TeamServices); sudo fails without a password"));
                return;
            }
            Thread self = Thread.currentThread();
            asking.add(self);
            SudoPrompter.Answer answer = null;
            String failure = null;
            try {
                if (!open) {
                    failure = "the command ended before the host application answered";
                } else {
                    log.info("sudo_askpass: agent '{}' (session {}) asks the host application for a sudo password",
                            agent, sessionId);
                    answer = prompter.ask(new SudoPrompter.Request(agent, sessionId, command, prompt));
                    if (answer == null) {
                        failure = "the host application gave no answer";
                    }
                }
            } catch (InterruptedException e) {
                failure = "the command ended before the host application answered";
            } catch (Exception | LinkageError e) { // the host's callback: its failure is a refusal, not a crash
                failure = "asking the host application for the password failed (" + e.getClass().getSimpleName() + ")";
            } finally {
                asking.remove(self);
                Thread.interrupted(); // an interrupt meant for the prompt must not outlive it on a pooled thread
            }
            if (failure == null && !open) {
                failure = "the command ended before the host application answered";
            }
            if (failure == null && !answer.accepted()) {
                failure = answer.cancelled() ? "the host application cancelled the sudo password prompt"
                        : "the host application declined the sudo password prompt";
            }
            if (failure != null) {
                if (answer != null) {
                    answer.takePassword(); // clears an answer that came too late
                }
                log.info("sudo_askpass: agent '{}' (session {}): {}", agent, sessionId, failure);
                reply(channel, refusal(failure + "; sudo fails without a password"));
                return;
            }
            char[] password = answer.takePassword();
            try {
                if (password.length == 0 || contains(password, '\n') || contains(password, '\r')
                        || contains(password, '\0')) {
                    log.info("sudo_askpass: agent '{}' (session {}): the host's password was empty or not one line",
                            agent, sessionId);
                    reply(channel, refusal("the host application's password was empty or not a single line"));
                    return;
                }
                byte[] bytes = encode(password);
                remember(password.length, bytes);
                byte[] message = new byte[bytes.length + 4];
                message[0] = 'O';
                message[1] = 'K';
                message[2] = '\n';
                System.arraycopy(bytes, 0, message, 3, bytes.length);
                message[message.length - 1] = '\n';
                Arrays.fill(bytes, (byte) 0);
                reply(channel, message);
                log.info("sudo_askpass: agent '{}' (session {}): the host application answered", agent, sessionId);
            } finally {
                Arrays.fill(password, '\0');
            }
        }

        private static boolean contains(char[] chars, char c) {
            for (char x : chars) {
                if (x == c) {
                    return true;
                }
            }
            return false;
        }

        private static byte[] encode(char[] password) throws CharacterCodingException {
            ByteBuffer buf = StandardCharsets.UTF_8.newEncoder().encode(CharBuffer.wrap(password));
            byte[] bytes = new byte[buf.remaining()];
            buf.get(bytes);
            if (buf.hasArray()) {
                Arrays.fill(buf.array(), (byte) 0);
            }
            return bytes;
        }

        private void remember(int length, byte[] utf8) {
            byte[] hash = hash(utf8);
            synchronized (handedOut) {
                handedOut.add(Map.entry(length, hash));
            }
        }

        private byte[] hash(byte[] bytes) {
            return mac().doFinal(bytes);
        }

        private Mac mac() {
            try {
                Mac mac = Mac.getInstance("HmacSHA256");
                mac.init(new SecretKeySpec(hashKey, "HmacSHA256"));
                return mac;
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("HmacSHA256 is missing from this JVM", e);
            }
        }

        /**
         * {@code text} with every password handed out to this command replaced: a command that printed what its
         * helper got (running {@code $SUDO_ASKPASS} itself) must not bring it into the model's context.
         *
         * @param text the command's output
         * @return the output without those passwords
         */
        public String redact(String text) {
            List<Map.Entry<Integer, byte[]>> secrets;
            synchronized (handedOut) {
                secrets = List.copyOf(handedOut);
            }
            String out = text;
            for (Map.Entry<Integer, byte[]> secret : secrets) {
                out = redact(out, secret.getKey(), secret.getValue());
            }
            return out;
        }

        private String redact(String text, int length, byte[] expected) {
            StringBuilder sb = null;
            int copied = 0;
            Mac mac = mac();
            for (int i = 0; i + length <= text.length(); i++) {
                byte[] window = text.substring(i, i + length).getBytes(StandardCharsets.UTF_8);
                boolean match = MessageDigest.isEqual(mac.doFinal(window), expected);
                Arrays.fill(window, (byte) 0);
                if (match) {
                    sb = sb == null ? new StringBuilder(text.length()) : sb;
                    sb.append(text, copied, i).append(REDACTED);
                    copied = i + length;
                    i = copied - 1;
                }
            }
            return sb == null ? text : sb.append(text, copied, text.length()).toString();
        }

        /** Revokes the token and interrupts prompts still waiting for the host. Idempotent. */
        @Override
        public void close() {
            open = false;
            grants.remove(key);
            asking.forEach(Thread::interrupt);
        }

        /** Names the agent and session; never the token. */
        @Override
        public String toString() {
            return "Grant[" + agent + ", " + sessionId + (open ? "" : ", closed") + "]";
        }
    }
}
