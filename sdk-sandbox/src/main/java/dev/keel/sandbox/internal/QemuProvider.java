package dev.keel.sandbox.internal;

import dev.keel.sandbox.InvalidSandboxSpecException;
import dev.keel.sandbox.MicroVmConfig;
import dev.keel.sandbox.Sandbox;
import dev.keel.sandbox.SandboxBootException;
import dev.keel.sandbox.SandboxClosedException;
import dev.keel.sandbox.SandboxPrerequisiteException;
import dev.keel.sandbox.SandboxProvider;
import dev.keel.sandbox.SandboxSpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The QEMU microVM provider. Loads the assets, builds (or reuses) the initramfs and chooses the
 * accelerator once, on first use. Owns a launcher thread (qemu's parent-death signal is bound to it,
 * so it lives as long as the provider) and a shutdown hook that destroys the VMs on JVM exit.
 * Thread-safe.
 */
public final class QemuProvider implements SandboxProvider {
    private static final Logger log = LoggerFactory.getLogger(QemuProvider.class);

    private final MicroVmConfig config;
    private final Map<String, Sandbox> live = new LinkedHashMap<>();
    private final ExecutorService launcher;
    private final Thread shutdownHook;
    private Assets assets;
    private Path initramfs;
    private String accelerator;
    private boolean closed;
    /** Snapshots being saved right now (one saver per shape). */
    private final java.util.Set<Path> saving = java.util.concurrent.ConcurrentHashMap.newKeySet();
    /** Set when a restore was measured slower than the boot it replaces. */
    private volatile boolean restoreSlower;

    /** Creates a provider; nothing is started until {@link #create}. */
    public QemuProvider(MicroVmConfig config) {
        this.config = config;
        this.launcher = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "keel-sandbox-launcher");
            t.setDaemon(true);
            return t;
        });
        this.shutdownHook = new Thread(this::destroyAll, "keel-sandbox-shutdown");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
        sweepStaleRunDirs();
    }

    @Override
    public String backend() {
        return QemuSandbox.BACKEND;
    }

    @Override
    public Sandbox create(SandboxSpec spec) {
        spec.checkWorkspacesExist();
        List<WorkspaceMounts.Mount> mounts = WorkspaceMounts.resolve(spec.workspaces());
        synchronized (this) {
            if (closed) {
                throw new SandboxClosedException("this sandbox provider is closed");
            }
            if (live.containsKey(spec.name())) {
                throw new InvalidSandboxSpecException("a sandbox named '" + spec.name() + "' already exists");
            }
            live.put(spec.name(), null); // reserve the name while booting
        }
        try {
            prepare();
            if (spec.root() == dev.keel.sandbox.GuestRoot.DEBIAN && assets.debianRoot() == null) {
                throw new SandboxPrerequisiteException("the Debian guest root is not installed (no debian.root in "
                        + config.assetsDir().resolve(Assets.FILE) + "); run scripts/setup/sandbox.sh as root"
                        + " (it builds it with debootstrap)");
            }
            QemuSandbox box = bootOrRestore(spec, mounts);
            boolean keep;
            synchronized (this) {
                keep = !closed;
                if (keep) {
                    live.put(spec.name(), box);
                }
            }
            if (!keep) {
                box.close();
                throw new SandboxClosedException("the provider was closed while sandbox " + spec.name() + " booted");
            }
            return box;
        } catch (RuntimeException e) {
            synchronized (this) {
                if (live.get(spec.name()) == null) {
                    live.remove(spec.name());
                }
            }
            throw e;
        }
    }

    /**
     * Restores the VM from a snapshot of its shape when there is one and restoring has not been measured
     * slower than booting; otherwise boots it, saving a snapshot for the next ones on the way.
     */
    private QemuSandbox bootOrRestore(SandboxSpec spec, List<WorkspaceMounts.Mount> mounts) {
        if (!config.snapshots() || restoreSlower) {
            return QemuSandbox.boot(this, spec, launch(spec, mounts, false), null, null);
        }
        Path snapshot = Snapshots.file(config.assetsDir().resolve("snapshots"), assets, initramfs, accelerator, spec,
                config.bootArgs());
        if (Files.isRegularFile(snapshot)) {
            try {
                QemuSandbox box = QemuSandbox.boot(this, spec, launch(spec, mounts, true), snapshot, null);
                Snapshots.touch(snapshot);
                Snapshots.bootTimeOf(snapshot).ifPresent(boot -> {
                    if (box.info().bootTime().compareTo(boot) >= 0) {
                        restoreSlower = true;
                        log.info("restoring took {} ms, booting {} ms: this provider boots from now on",
                                box.info().bootTime().toMillis(), boot.toMillis());
                    }
                });
                return box;
            } catch (SandboxBootException e) {
                log.warn("restoring {} failed, booting instead and replacing the snapshot: {}", snapshot,
                        e.getMessage().lines().findFirst().orElse(""));
                Snapshots.delete(snapshot);
            }
        }
        boolean save = saving.add(snapshot);
        try {
            return QemuSandbox.boot(this, spec, launch(spec, mounts, false), null, save ? snapshot : null);
        } finally {
            if (save) {
                saving.remove(snapshot);
            }
        }
    }

    private VmProcess.Launch launch(SandboxSpec spec, List<WorkspaceMounts.Mount> mounts, boolean restore) {
        return new VmProcess.Launch(assets, initramfs, accelerator, spec, mounts, config.bootArgs(),
                VmProcess.newRunDir(), launcher, restore);
    }

    /** Loads assets, initramfs and the accelerator choice once. */
    synchronized void prepare() {
        if (assets == null) {
            assets = Assets.load(config.assetsDir());
        }
        if (initramfs == null) {
            initramfs = Initramfs.build(assets, config.assetsDir().resolve("initramfs"));
        }
        if (accelerator == null) {
            accelerator = AcceleratorChoice.choose(config.accelerator(), read(Path.of("/proc/cpuinfo")),
                    Files.isReadable(Path.of("/dev/kvm")) && Files.isWritable(Path.of("/dev/kvm")),
                    tcgAvailable(assets.qemu()), this::kvmSmokeBoot);
            log.info("sandbox accelerator: {}", accelerator);
        }
    }

    /** Boots a throwaway VM under KVM; true only when its agent answered within the probe timeout. */
    boolean kvmSmokeBoot() {
        SandboxSpec probe = SandboxSpec.builder("kvm-probe").bootTimeout(config.kvmProbeTimeout()).build();
        VmProcess.Launch launch = new VmProcess.Launch(assets, initramfs, "kvm", probe, List.of(), config.bootArgs(),
                VmProcess.newRunDir(), launcher, false);
        try {
            QemuSandbox.boot(this, probe, launch, null, null).close();
            return true;
        } catch (SandboxBootException e) {
            log.info("KVM smoke boot failed, using TCG: {}", e.getMessage().lines().findFirst().orElse(""));
            return false;
        }
    }

    private static boolean tcgAvailable(Path qemu) {
        try {
            Process p = new ProcessBuilder(qemu.toString(), "-accel", "help").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor(10, TimeUnit.SECONDS);
            return out.lines().anyMatch(l -> l.trim().equals("tcg"));
        } catch (IOException e) {
            throw new SandboxPrerequisiteException("cannot run " + qemu + ": " + e.getMessage()
                    + "; run scripts/setup/sandbox.sh");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            return "";
        }
    }

    /** Removes run directories left by JVMs that no longer exist (their reaper normally does this). */
    private static void sweepStaleRunDirs() {
        for (Path base : List.of(Path.of("/tmp"), Path.of(System.getProperty("java.io.tmpdir")))) {
            if (!Files.isDirectory(base)) {
                continue;
            }
            try (Stream<Path> dirs = Files.list(base)) {
                dirs.filter(d -> d.getFileName().toString().startsWith(VmProcess.DIR_PREFIX)).forEach(d -> {
                    try {
                        long owner = Long.parseLong(Files.readString(d.resolve("owner")).trim());
                        if (ProcessHandle.of(owner).isEmpty()) {
                            VmProcess.deleteTree(d);
                        }
                    } catch (IOException | NumberFormatException e) {
                        // not ours or being created right now: leave it alone
                    }
                });
            } catch (IOException e) {
                log.debug("cannot sweep {}", base, e);
            }
        }
    }

    synchronized void forget(Sandbox box) {
        live.remove(box.name(), box);
    }

    @Override
    public synchronized List<Sandbox> list() {
        List<Sandbox> result = new ArrayList<>();
        for (Sandbox s : live.values()) {
            if (s != null) {
                result.add(s);
            }
        }
        return result;
    }

    @Override
    public synchronized Optional<Sandbox> find(String name) {
        return Optional.ofNullable(live.get(name));
    }

    private void destroyAll() {
        List<Sandbox> boxes;
        synchronized (this) {
            closed = true;
            boxes = list();
        }
        for (Sandbox s : boxes) {
            try {
                s.close();
            } catch (RuntimeException e) {
                log.warn("closing sandbox {} failed", s.name(), e);
            }
        }
    }

    @Override
    public void close() {
        synchronized (this) {
            if (closed && launcher.isShutdown()) {
                return;
            }
        }
        destroyAll();
        launcher.shutdown();
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException e) {
            // the JVM is already shutting down; the hook is running or has run
        }
    }

    /** How long the last boot took is in each sandbox's info; this is for logs. */
    @Override
    public synchronized String toString() {
        return "QemuProvider[" + config.assetsDir() + ", accelerator=" + (accelerator == null ? "not chosen yet" : accelerator)
                + ", live=" + live.keySet() + "]";
    }

    /** The trust the egress proxies use for their own upstream TLS connections. */
    javax.net.ssl.SSLContext upstreamTls() {
        if (config.upstreamTls() != null) {
            return config.upstreamTls();
        }
        try {
            return javax.net.ssl.SSLContext.getDefault();
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    Duration probeTimeout() {
        return config.kvmProbeTimeout();
    }
}
