package dev.keel.sandbox.internal;

import dev.keel.core.exec.Command;
import dev.keel.core.exec.CommandException;
import dev.keel.core.exec.ExecResult;
import dev.keel.core.exec.OutputListener;
import dev.keel.sandbox.Execution;
import dev.keel.sandbox.GuestRoot;
import dev.keel.sandbox.FileEntry;
import dev.keel.sandbox.Sandbox;
import dev.keel.sandbox.SandboxBootException;
import dev.keel.sandbox.SandboxClosedException;
import dev.keel.sandbox.SandboxFileException;
import dev.keel.sandbox.SandboxInfo;
import dev.keel.sandbox.SandboxSpec;
import dev.keel.sandbox.Workspace;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A QEMU microVM sandbox: the qemu child process, its QMP and agent connections, its temporary
 * directory (sockets, logs) and a reaper process that cleans up if the JVM dies. Thread-safe.
 */
final class QemuSandbox implements Sandbox {
    private static final Logger log = LoggerFactory.getLogger(QemuSandbox.class);
    static final String BACKEND = "qemu-microvm";
    private static final Duration FILE_OP_TIMEOUT = Duration.ofSeconds(60);
    private static final long KILL_GRACE_MS = 10_000;
    private static final String DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    private final QemuProvider provider;
    private final SandboxSpec spec;
    private final VmProcess vm;
    private final AgentConnection agent;
    private final Qmp qmp;
    private final String accelerator;
    private final Duration bootTime;
    private final boolean restored;
    private final ScheduledExecutorService timers;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final EgressProxy proxy;
    private final NetRelay relay;
    /** Where the guest finds the sandbox CA (alone, and as the system bundle, which the busybox root lacks). */
    static final String CA_FILE = "/etc/ssl/certs/keel-sandbox-ca.pem";
    static final String CA_BUNDLE = "/etc/ssl/certs/ca-certificates.crt";
    /** The guest port the agent listens on for the proxy. */
    static final int GUEST_PROXY_PORT = 3128;

    private QemuSandbox(QemuProvider provider, SandboxSpec spec, VmProcess vm, AgentConnection agent, Qmp qmp,
                        String accelerator, Duration bootTime, boolean restored, EgressProxy proxy, NetRelay relay) {
        this.restored = restored;
        this.proxy = proxy;
        this.relay = relay;
        this.provider = provider;
        this.spec = spec;
        this.vm = vm;
        this.agent = agent;
        this.qmp = qmp;
        this.accelerator = accelerator;
        this.bootTime = bootTime;
        this.timers = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "keel-sandbox-timer-" + spec.name());
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Brings the VM up and mounts the workspaces; on any failure nothing is left running.
     *
     * @param restoreFrom a snapshot to restore instead of booting ({@code launch.restore()} is then set), or null
     * @param saveTo      after a boot, save the freshly booted VM here before anything of the sandbox touches
     *                    it (best effort), or null
     */
    static QemuSandbox boot(QemuProvider provider, SandboxSpec spec, VmProcess.Launch launch, Path restoreFrom,
                            Path saveTo) {
        long t0 = System.nanoTime();
        VmProcess vm = VmProcess.start(launch);
        AgentConnection agent = null;
        Qmp qmp = null;
        EgressProxy proxy = null;
        NetRelay relay = null;
        try {
            if (restoreFrom != null) {
                Snapshots.send(restoreFrom, connect(vm, launch.incomingSocket(), spec.bootTimeout()));
                connect(vm, launch.qmpSocket(), spec.bootTimeout()).close();
                qmp = Qmp.connect(launch.qmpSocket());
                // talk to the agent only once the guest runs again: bytes sent while qemu is still loading the
                // device state could reach a virtio-serial port that does not exist yet
                awaitRunning(vm, qmp, spec.bootTimeout());
            }
            // qemu creates the sockets one after the other: wait for both
            SocketChannel agentChannel = connect(vm, launch.agentSocket(), spec.bootTimeout());
            agent = new AgentConnection(agentChannel, spec.name());
            if (qmp == null) {
                connect(vm, launch.qmpSocket(), spec.bootTimeout()).close();
                qmp = Qmp.connect(launch.qmpSocket());
            }
            if (restoreFrom != null) {
                // the agent said hello before the snapshot was taken; now it only has to answer
                get(agent.call(AgentConnection.PING, new byte[0]), spec.bootTimeout());
                get(agent.call(AgentConnection.RESUMED, resumePayload()), Duration.ofSeconds(30));
            } else {
                waitReady(vm, agent, spec.bootTimeout());
                if (saveTo != null) {
                    try {
                        long s0 = System.nanoTime();
                        Snapshots.save(qmp, launch, saveTo, Duration.ofNanos(s0 - t0));
                        log.info("saved a booted VM to {} in {} ms", saveTo, (System.nanoTime() - s0) / 1_000_000);
                    } catch (IOException e) {
                        log.warn("could not save a snapshot of the booted VM; later sandboxes boot: {}", e.getMessage());
                    }
                }
            }
            if (spec.root() == GuestRoot.DEBIAN) {
                get(agent.call(AgentConnection.ROOT, new Payload().string(VmProcess.ROOT_TAG).bytes()), Duration.ofSeconds(60));
            }
            for (Workspace w : spec.workspaces()) {
                byte[] p = new Payload().u32(w.readOnly() ? 1 : 0).string(VmProcess.tag(spec.workspaces().indexOf(w)))
                        .string(w.path().toString()).bytes();
                get(agent.call(AgentConnection.MOUNT, p), Duration.ofSeconds(60));
            }
            if (spec.network().enabled()) {
                SandboxCa ca = spec.secrets().isEmpty() ? null : new SandboxCa(spec.name());
                proxy = new EgressProxy(spec.network(), spec.secrets(), spec.name(), provider.upstreamTls(), ca);
                if (ca != null) {
                    // the guest trusts the sandbox CA, so TLS clients accept the proxy's certificates
                    byte[] pem = ca.pem().getBytes(StandardCharsets.US_ASCII);
                    get(agent.call(AgentConnection.WRITE, new Payload().u32(0644).string(CA_FILE).raw(pem).bytes()),
                            Duration.ofSeconds(30));
                    byte[] bundle = pem;
                    try { // a Debian root has the public CAs already: add ours
                        byte[] existing = get(agent.call(AgentConnection.READ, new Payload().string(CA_BUNDLE).bytes()),
                                Duration.ofSeconds(30)).payload();
                        bundle = new byte[existing.length + pem.length];
                        System.arraycopy(existing, 0, bundle, 0, existing.length);
                        System.arraycopy(pem, 0, bundle, existing.length, pem.length);
                    } catch (AgentConnection.AgentError noBundle) {
                        // the busybox root has none
                    }
                    get(agent.call(AgentConnection.WRITE, new Payload().u32(0644).string(CA_BUNDLE).raw(bundle).bytes()),
                            Duration.ofSeconds(30));
                }
                relay = new NetRelay(agent, proxy.port(), spec.name());
                agent.onNetwork(relay::onFrame);
                get(agent.call(AgentConnection.NET_LISTEN, new Payload().u32(GUEST_PROXY_PORT).bytes()),
                        Duration.ofSeconds(30));
            }
            Duration bootTime = Duration.ofNanos(System.nanoTime() - t0);
            log.info("sandbox {} {} in {} ms ({}, pid {})", spec.name(), restoreFrom != null ? "restored" : "up",
                    bootTime.toMillis(), launch.accelerator(), vm.pid());
            return new QemuSandbox(provider, spec, vm, agent, qmp, launch.accelerator(), bootTime, restoreFrom != null,
                    proxy, relay);
        } catch (IOException | AgentConnection.AgentError | RuntimeException e) {
            String diagnostics = vm.diagnostics();
            if (relay != null) {
                relay.close();
            }
            if (proxy != null) {
                proxy.close();
            }
            if (qmp != null) {
                qmp.close();
            }
            if (agent != null) {
                agent.close();
            }
            vm.destroy(0);
            if (e instanceof SandboxBootException sbe) {
                throw new SandboxBootException(sbe.getMessage() + diagnostics, sbe);
            }
            throw new SandboxBootException("sandbox " + spec.name() + (restoreFrom != null ? " was not restored: "
                    : " did not start: ") + e.getMessage() + diagnostics, e);
        }
    }

    /** The host's wall clock and fresh entropy for a restored guest (see keel-agent.c, do_resumed). */
    private static byte[] resumePayload() {
        java.time.Instant now = java.time.Instant.now();
        byte[] entropy = new byte[64];
        new java.security.SecureRandom().nextBytes(entropy);
        return new Payload().u32((int) (now.getEpochSecond() >>> 32)).u32((int) now.getEpochSecond())
                .u32(now.getNano()).raw(entropy).bytes();
    }

    private static SocketChannel connect(VmProcess vm, Path socket, Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            if (Files.exists(socket)) {
                SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
                try {
                    ch.connect(UnixDomainSocketAddress.of(socket));
                    return ch;
                } catch (IOException e) {
                    ch.close();
                }
            }
            if (!vm.isAlive()) {
                throw new SandboxBootException("qemu exited during startup (exit " + vm.exitValue() + ")");
            }
            if (System.nanoTime() > deadline) {
                throw new SandboxBootException("qemu did not open its agent socket in time");
            }
            sleep(2);
        }
    }

    private static void awaitRunning(VmProcess vm, Qmp qmp, Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            String status = qmp.execute("query-status").path("status").asText("");
            if (status.equals("running")) {
                return;
            }
            if (!status.equals("inmigrate") && !status.equals("prelaunch") && !status.equals("restore-vm")) {
                throw new IOException("the restored VM is " + status + ", not running");
            }
            if (!vm.isAlive() || System.nanoTime() > deadline) {
                throw new IOException("the VM did not finish loading its saved state");
            }
            sleep(2);
        }
    }

    private static void waitReady(VmProcess vm, AgentConnection agent, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            try {
                agent.ready().get(50, TimeUnit.MILLISECONDS);
                return;
            } catch (TimeoutException e) {
                if (!vm.isAlive()) {
                    throw new SandboxBootException("the VM exited during boot (qemu exit " + vm.exitValue() + ")");
                }
                if (System.nanoTime() > deadline) {
                    throw new SandboxBootException("the guest agent did not answer within " + timeout.toSeconds() + " s");
                }
            } catch (ExecutionException e) {
                throw new SandboxBootException("the VM stopped during boot: " + e.getCause().getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SandboxBootException("interrupted while booting");
            }
        }
    }

    private static AgentConnection.Frame get(CompletableFuture<AgentConnection.Frame> f, Duration timeout)
            throws AgentConnection.AgentError, IOException {
        try {
            return f.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof AgentConnection.AgentError ae) {
                throw ae;
            }
            throw new IOException(e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new IOException("the guest agent did not answer within " + timeout.toSeconds() + " s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SandboxBootException("interrupted while booting");
        }
    }

    @Override
    public String name() {
        return spec.name();
    }

    @Override
    public SandboxSpec spec() {
        return spec;
    }

    @Override
    public SandboxInfo info() {
        return new SandboxInfo(spec.name(), BACKEND, accelerator, accelerator.equals("kvm"), "microvm", bootTime, restored, vm.pid());
    }

    @Override
    public ExecResult run(Command command, OutputListener listener) {
        ExecHandle h = launch(command, listener, false);
        h.closeStdin();
        return h.await();
    }

    @Override
    public Execution start(Command command, OutputListener listener) {
        ExecHandle h = launch(command, listener, false);
        h.pid();
        return h;
    }

    @Override
    public Execution startTerminal(Command command, OutputListener listener) {
        ExecHandle h = launch(command, listener, true);
        h.pid();
        return h;
    }

    private ExecHandle launch(Command command, OutputListener listener, boolean pty) {
        if (closed.get()) {
            throw new CommandException("sandbox " + spec.name() + " is closed");
        }
        Map<String, String> env = new LinkedHashMap<>();
        env.put("PATH", DEFAULT_PATH);
        env.put("HOME", "/root");
        if (pty) {
            env.put("TERM", "xterm-256color");
        }
        if (proxy != null) {
            String url = "http://127.0.0.1:" + GUEST_PROXY_PORT;
            for (String k : List.of("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY")) {
                env.put(k, url);
            }
            if (!spec.secrets().isEmpty()) {
                for (String k : List.of("SSL_CERT_FILE", "CURL_CA_BUNDLE", "REQUESTS_CA_BUNDLE", "NODE_EXTRA_CA_CERTS",
                        "GIT_SSL_CAINFO")) {
                    env.put(k, CA_BUNDLE);
                }
            }
        }
        env.putAll(spec.env());
        env.putAll(command.env());
        List<String> envList = new ArrayList<>();
        env.forEach((k, v) -> envList.add(k + "=" + v));
        String cwd = command.cwd() != null ? command.cwd() : spec.defaultWorkdir();
        int id = agent.nextId();
        ExecHandle h = new ExecHandle(agent, id, command, listener == null ? OutputListener.NONE : listener,
                "sandbox:" + spec.name());
        agent.register(id, h::onFrame);
        byte[] payload = new Payload().u32(pty ? 1 : 0).strings(command.argv()).strings(envList).string(cwd).bytes();
        try {
            agent.send(AgentConnection.EXEC, id, payload);
        } catch (IOException e) {
            agent.unregister(id);
            throw new CommandException("sandbox " + spec.name() + " is not reachable: " + e.getMessage(), e);
        }
        long timeoutMs = command.timeout().toMillis();
        h.timer(timers.schedule(() -> {
            h.onTimeout();
            timers.schedule(h::onKillUnanswered, KILL_GRACE_MS, TimeUnit.MILLISECONDS);
        }, timeoutMs, TimeUnit.MILLISECONDS));
        if (command.stdin().length > 0) {
            h.write(command.stdin());
        }
        return h;
    }

    @Override
    public byte[] readFile(String path) {
        return fileOp(AgentConnection.READ, new Payload().string(absolute(path)).bytes(), path).payload();
    }

    @Override
    public void writeFile(String path, byte[] content) {
        fileOp(AgentConnection.WRITE, new Payload().u32(0644).string(absolute(path)).raw(content).bytes(), path);
    }

    @Override
    public List<FileEntry> list(String path) {
        byte[] b = fileOp(AgentConnection.LIST, new Payload().string(absolute(path)).bytes(), path).payload();
        ByteBuffer buf = ByteBuffer.wrap(b);
        List<FileEntry> entries = new ArrayList<>();
        while (buf.remaining() >= 17) {
            int kind = buf.get();
            long size = buf.getLong();
            int mode = buf.getInt();
            byte[] name = new byte[buf.getInt()];
            buf.get(name);
            FileEntry.Type type = switch (kind) {
                case 0 -> FileEntry.Type.FILE;
                case 1 -> FileEntry.Type.DIRECTORY;
                case 2 -> FileEntry.Type.SYMLINK;
                default -> FileEntry.Type.OTHER;
            };
            entries.add(new FileEntry(new String(name, StandardCharsets.UTF_8), type, size, mode));
        }
        entries.sort((a, c) -> a.name().compareTo(c.name()));
        return entries;
    }

    private static String absolute(String path) {
        if (path == null || !path.startsWith("/") || path.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("guest path must be absolute, was: " + path);
        }
        return path;
    }

    private AgentConnection.Frame fileOp(int type, byte[] payload, String path) {
        if (closed.get()) {
            throw new SandboxClosedException("sandbox " + spec.name() + " is closed");
        }
        try {
            return get(agent.call(type, payload), FILE_OP_TIMEOUT);
        } catch (AgentConnection.AgentError e) {
            throw new SandboxFileException(e.getMessage());
        } catch (IOException e) {
            throw new SandboxFileException("file operation on " + path + " in sandbox " + spec.name() + " failed: "
                    + e.getMessage(), e);
        }
    }

    @Override
    public List<dev.keel.sandbox.NetworkRequest> networkLog() {
        return proxy == null ? List.of() : proxy.requests();
    }

    @Override
    public void stop() {
        qmpCommand("stop");
    }

    @Override
    public void start() {
        qmpCommand("cont");
    }

    private void qmpCommand(String cmd) {
        if (closed.get()) {
            throw new SandboxClosedException("sandbox " + spec.name() + " is closed");
        }
        try {
            qmp.execute(cmd);
        } catch (IOException e) {
            throw new SandboxClosedException("sandbox " + spec.name() + " did not accept '" + cmd + "': " + e.getMessage(), e);
        }
    }

    @Override
    public boolean isClosed() {
        return closed.get();
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            qmp.execute("quit");
        } catch (IOException e) {
            log.debug("QMP quit failed; killing qemu", e);
        }
        qmp.close();
        agent.close();
        if (relay != null) {
            relay.close();
        }
        if (proxy != null) {
            proxy.close();
        }
        vm.destroy(2000);
        timers.shutdownNow();
        provider.forget(this);
        log.info("sandbox {} destroyed", spec.name());
    }

    @Override
    public String describe() {
        return "sandbox:" + spec.name();
    }

    @Override
    public String toString() {
        return "QemuSandbox[" + spec.name() + ", " + accelerator + (closed.get() ? ", closed" : ", pid " + vm.pid()) + "]";
    }
}
