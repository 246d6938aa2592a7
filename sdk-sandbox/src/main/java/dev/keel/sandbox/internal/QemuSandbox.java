package dev.keel.sandbox.internal;

import dev.keel.core.exec.Command;
import dev.keel.core.exec.CommandException;
import dev.keel.core.exec.ExecResult;
import dev.keel.core.exec.OutputListener;
import dev.keel.sandbox.Execution;
import dev.keel.sandbox.FileEntry;
import dev.keel.sandbox.NetworkRequest;
import dev.keel.sandbox.Sandbox;
import dev.keel.sandbox.SandboxClosedException;
import dev.keel.sandbox.SandboxDiedException;
import dev.keel.sandbox.SandboxInfo;
import dev.keel.sandbox.SandboxSpec;
import dev.keel.sandbox.SandboxState;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A QEMU microVM sandbox: the qemu child process, its QMP and agent connections, its temporary
 * directory (sockets, logs) and a reaper process that cleans up if the JVM dies. Booting is
 * {@link BootSequence}'s job, egress {@link GuestNetwork}'s, file operations {@link GuestFiles}'; this class
 * runs commands and owns the lifecycle: a VM that dies on its own (qemu exits without {@link #close()}) is
 * noticed at once through qemu's exit, becomes {@link SandboxState#DEAD} with the cause, leaves the provider's
 * list, and fails every pending and later call with {@link SandboxDiedException}. Thread-safe.
 */
final class QemuSandbox implements Sandbox {
    private static final Logger log = LoggerFactory.getLogger(QemuSandbox.class);
    static final String BACKEND = "qemu-microvm";
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
    private final GuestNetwork network;
    private final GuestFiles files;
    private final List<dev.keel.sandbox.Workspace> mounted;
    private final ScheduledExecutorService timers;
    private final Object lifecycle = new Object();
    private volatile SandboxState state = SandboxState.RUNNING;
    private volatile String deathReason;
    private final AtomicBoolean released = new AtomicBoolean();
    private final CompletableFuture<Sandbox> exit = new CompletableFuture<>();

    private QemuSandbox(QemuProvider provider, SandboxSpec spec, String accelerator, BootSequence.Booted booted) {
        this.provider = provider;
        this.spec = spec;
        this.accelerator = accelerator;
        this.vm = booted.vm();
        this.agent = booted.agent();
        this.qmp = booted.qmp();
        this.network = booted.network();
        this.bootTime = booted.bootTime();
        this.restored = booted.restored();
        this.files = new GuestFiles(agent, spec.name());
        this.mounted = launchMounts(booted);
        this.timers = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "keel-sandbox-timer-" + spec.name());
            t.setDaemon(true);
            return t;
        });
        agent.onLost(this::connectionLost);
        vm.onExit().thenRun(this::vmExited);
    }

    /**
     * Brings the VM up (see {@link BootSequence#run}); on any failure nothing is left running.
     *
     * @param restoreFrom a snapshot to restore instead of booting ({@code launch.restore()} is then set), or null
     * @param saveTo      after a boot, where to save the freshly booted VM for later sandboxes, or null
     */
    static QemuSandbox boot(QemuProvider provider, SandboxSpec spec, VmProcess.Launch launch, Path restoreFrom,
                            Path saveTo) {
        BootSequence.Booted booted = BootSequence.run(spec, launch, restoreFrom, saveTo, provider.upstreamTls());
        return new QemuSandbox(provider, spec, launch.accelerator(), booted);
    }

    private static List<dev.keel.sandbox.Workspace> launchMounts(BootSequence.Booted booted) {
        return booted.vm().mounts().stream().map(WorkspaceMounts.Mount::asMounted).toList();
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
        return new SandboxInfo(spec.name(), BACKEND, accelerator, accelerator.equals("kvm"), "microvm", bootTime, restored,
                vm.pid(), mounted);
    }

    @Override
    public ExecResult run(Command command, OutputListener listener) {
        boolean input = command.stdin().length > 0;
        ExecHandle h = launch(command, listener, false, !input);
        if (input) {
            h.closeStdin();
        }
        return h.await();
    }

    @Override
    public Execution start(Command command, OutputListener listener) {
        ExecHandle h = launch(command, listener, false, false);
        h.pid();
        return h;
    }

    @Override
    public Execution startTerminal(Command command, OutputListener listener) {
        ExecHandle h = launch(command, listener, true, false);
        h.pid();
        return h;
    }

    /**
     * Rejects what cannot be passed to a program intact, naming the argument, before anything is sent: a C string
     * ends at its first NUL (the rest would be dropped silently), a variable name cannot hold {@code =}.
     */
    static void checkCommand(Command command) {
        List<String> argv = command.argv();
        if (argv.get(0) == null || argv.get(0).isEmpty()) {
            throw new CommandException("the program name (argv[0]) is empty");
        }
        for (int i = 0; i < argv.size(); i++) {
            if (argv.get(i) == null) {
                throw new CommandException("argv[" + i + "] is null");
            }
            if (argv.get(i).indexOf('\0') >= 0) {
                throw new CommandException("argv[" + i + "] contains a NUL byte");
            }
        }
        for (Map.Entry<String, String> e : command.env().entrySet()) {
            String name = e.getKey();
            if (name.isEmpty() || name.indexOf('=') >= 0 || name.indexOf('\0') >= 0) {
                throw new CommandException("environment variable name '" + name.replace("\0", "\\0")
                        + "' is empty or contains '=' or a NUL byte");
            }
            if (e.getValue().indexOf('\0') >= 0) {
                throw new CommandException("the value of environment variable " + name + " contains a NUL byte");
            }
        }
        if (command.cwd() != null && (command.cwd().isEmpty() || command.cwd().indexOf('\0') >= 0)) {
            throw new CommandException("the working directory is empty or contains a NUL byte");
        }
    }

    /** @param noStdin nothing will be written to the command: its stdin is at end of file from the start */
    private ExecHandle launch(Command command, OutputListener listener, boolean pty, boolean noStdin) {
        checkCommand(command);
        ensureOpen();
        Map<String, String> env = new LinkedHashMap<>();
        env.put("PATH", DEFAULT_PATH);
        env.put("HOME", "/root");
        if (pty) {
            env.put("TERM", "xterm-256color");
        }
        if (network != null) {
            env.putAll(network.environment());
        }
        env.putAll(spec.env());
        env.putAll(command.env());
        List<String> envList = new ArrayList<>();
        env.forEach((k, v) -> envList.add(k + "=" + v));
        String cwd = command.cwd() != null ? command.cwd() : spec.defaultWorkdir();
        int id = agent.nextId();
        ExecHandle h = new ExecHandle(agent, id, command, listener == null ? OutputListener.NONE : listener,
                "sandbox:" + spec.name());
        agent.register(id, new AgentConnection.Handler(h::onFrame, h::lost));
        // run() waits for the exit only: it needs no STARTED frame and no stdin
        int flags = (pty ? AgentProtocol.F_PTY : 0) | (noStdin ? AgentProtocol.F_NO_STDIN | AgentProtocol.F_NO_STARTED : 0);
        byte[] payload = new Payload().u32(flags).strings(command.argv()).strings(envList).string(cwd).bytes();
        try {
            agent.send(AgentProtocol.T_EXEC, id, payload);
        } catch (IOException e) {
            agent.unregister(id);
            ensureOpen(); // closed or died meanwhile: say so
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
        ensureOpen();
        return files.read(path);
    }

    @Override
    public void writeFile(String path, byte[] content) {
        ensureOpen();
        files.write(path, content);
    }

    @Override
    public List<FileEntry> list(String path) {
        ensureOpen();
        return files.list(path);
    }

    /** @throws SandboxClosedException when closed; {@link SandboxDiedException} (naming the cause) when dead */
    private void ensureOpen() {
        SandboxState s = state;
        if (s == SandboxState.DEAD) {
            throw new SandboxDiedException(spec.name(), deathReason);
        }
        if (s == SandboxState.CLOSED) {
            throw new SandboxClosedException("sandbox " + spec.name() + " is closed");
        }
    }

    @Override
    public List<NetworkRequest> networkLog() {
        return network == null ? List.of() : network.log();
    }

    /** The sandbox's egress proxy, or null without a network policy (for tests in this package). */
    EgressProxy egressProxy() {
        return network == null ? null : network.proxy();
    }

    @Override
    public void stop() {
        qmpCommand("stop");
        moveState(SandboxState.RUNNING, SandboxState.PAUSED);
    }

    @Override
    public void start() {
        qmpCommand("cont");
        moveState(SandboxState.PAUSED, SandboxState.RUNNING);
    }

    private void moveState(SandboxState from, SandboxState to) {
        synchronized (lifecycle) {
            if (state == from) {
                state = to;
            }
        }
    }

    private void qmpCommand(String cmd) {
        ensureOpen();
        try {
            qmp.execute(cmd);
        } catch (IOException e) {
            ensureOpen();
            throw new SandboxClosedException("sandbox " + spec.name() + " did not accept '" + cmd + "': " + e.getMessage(), e);
        }
    }

    @Override
    public boolean isClosed() {
        SandboxState s = state;
        return s == SandboxState.CLOSED || s == SandboxState.DEAD;
    }

    @Override
    public SandboxState state() {
        return state;
    }

    @Override
    public CompletableFuture<Sandbox> onExit() {
        return exit;
    }

    @Override
    public void close() {
        synchronized (lifecycle) {
            if (state == SandboxState.CLOSED || released.get()) {
                return;
            }
            if (state != SandboxState.DEAD) {
                state = SandboxState.CLOSED;
            }
        }
        release(true);
        log.info("sandbox {} destroyed", spec.name());
    }

    /** qemu exited: unless close() did that, the VM died. */
    private void vmExited() {
        if (markDead()) {
            release(false);
        }
    }

    /**
     * The agent's connection ended; what pending calls fail with. Waits (on the connection's reader thread) for
     * qemu to finish exiting, so that the cause is known.
     */
    private RuntimeException connectionLost() {
        if (state == SandboxState.CLOSED) {
            return new SandboxClosedException("sandbox " + spec.name() + " was closed");
        }
        vm.awaitExit(Duration.ofSeconds(10));
        markDead();
        RuntimeException e = closedOrDead();
        if (state == SandboxState.DEAD) {
            release(false); // (kills qemu if the guest lost its agent but kept running)
        }
        return e;
    }

    private RuntimeException closedOrDead() {
        return state == SandboxState.DEAD ? new SandboxDiedException(spec.name(), deathReason)
                : new SandboxClosedException("sandbox " + spec.name() + " was closed");
    }

    /** Records the death and its cause once; false when the sandbox was closed instead (or already dead). */
    private boolean markDead() {
        synchronized (lifecycle) {
            if (state == SandboxState.CLOSED || state == SandboxState.DEAD) {
                return false;
            }
            deathReason = VmDeath.describe(vm.console(), vm.qemuOutput(), vm.isAlive() ? -1 : vm.exitValue());
            state = SandboxState.DEAD;
        }
        log.warn("sandbox {} died: {}", spec.name(), deathReason);
        provider.forget(this);
        return true;
    }

    /** Stops and frees everything once, whether closed or dead; quit asks qemu to exit first. */
    private void release(boolean quit) {
        if (!released.compareAndSet(false, true)) {
            return;
        }
        if (quit && vm.isAlive()) {
            try {
                qmp.execute("quit");
            } catch (IOException e) {
                log.debug("QMP quit failed; killing qemu", e);
            }
        }
        qmp.close();
        agent.close();
        if (network != null) {
            network.close();
        }
        vm.destroy(quit ? 2000 : 0);
        timers.shutdownNow();
        provider.forget(this);
        exit.complete(this);
    }

    @Override
    public String describe() {
        return "sandbox:" + spec.name();
    }

    @Override
    public String toString() {
        return "QemuSandbox[" + spec.name() + ", " + accelerator + ", " + state + (isClosed() ? "" : ", pid " + vm.pid()) + "]";
    }
}
