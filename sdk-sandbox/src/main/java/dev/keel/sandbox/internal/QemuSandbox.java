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
import dev.keel.sandbox.SandboxInfo;
import dev.keel.sandbox.SandboxSpec;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
 * runs commands and owns the lifecycle. Thread-safe.
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
    private final AtomicBoolean closed = new AtomicBoolean();

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
        agent.register(id, h::onFrame);
        byte[] payload = new Payload().u32(pty ? AgentProtocol.F_PTY : 0).strings(command.argv()).strings(envList)
                .string(cwd).bytes();
        try {
            agent.send(AgentProtocol.T_EXEC, id, payload);
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

    private void ensureOpen() {
        if (closed.get()) {
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
    }

    @Override
    public void start() {
        qmpCommand("cont");
    }

    private void qmpCommand(String cmd) {
        ensureOpen();
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
        if (network != null) {
            network.close();
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
