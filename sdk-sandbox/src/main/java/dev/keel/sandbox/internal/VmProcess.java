package dev.keel.sandbox.internal;

import dev.keel.sandbox.GuestRoot;
import dev.keel.sandbox.SandboxBootException;
import dev.keel.sandbox.SandboxSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The qemu child process and its private temporary directory. qemu is started through
 * {@code setpriv --pdeathsig KILL} from the provider's long-lived launcher thread (the death signal is
 * tied to the thread that forked), with an empty environment. A second tiny process, the reaper, holds a
 * pipe from the JVM: when the JVM dies, however it dies, the pipe closes and the reaper kills qemu and
 * deletes the directory. Thread-safe.
 */
final class VmProcess {
    private static final Logger log = LoggerFactory.getLogger(VmProcess.class);
    static final String DIR_PREFIX = "keel-sb-";
    static final String ROOT_TAG = "guestroot";
    private static final String REAPER =
            "read _ignored; kill -9 \"$1\" 2>/dev/null; sleep 0.2; rm -rf -- \"$2\"";

    /** Everything needed to start one VM. */
    record Launch(Assets assets, Path initramfs, String accelerator, SandboxSpec spec, List<WorkspaceMounts.Mount> mounts,
                  String bootArgs, Path dir, ExecutorService launcher, boolean restore) {
        /** Where qemu listens for the migration stream of a restore. */
        Path incomingSocket() {
            return dir.resolve("in.sock");
        }

        /** Where the JVM listens for the migration stream when a booted VM is saved. */
        Path outgoingSocket() {
            return dir.resolve("out.sock");
        }

        Path agentSocket() {
            return dir.resolve("agent.sock");
        }

        Path qmpSocket() {
            return dir.resolve("qmp.sock");
        }

        Path serialLog() {
            return dir.resolve("console.log");
        }

        Path qemuLog() {
            return dir.resolve("qemu.log");
        }
    }

    private final Launch launch;
    private final Process qemu;
    private final Process reaper;
    private final WorkspaceGuard guard;

    private VmProcess(Launch launch, Process qemu, Process reaper, WorkspaceGuard guard) {
        this.launch = launch;
        this.qemu = qemu;
        this.reaper = reaper;
        this.guard = guard;
    }

    static String tag(int index) {
        return "ws" + index;
    }

    /** A fresh private directory for sockets and logs; short, because unix socket paths are limited. */
    static Path newRunDir() {
        Path base = Files.isDirectory(Path.of("/tmp")) && Files.isWritable(Path.of("/tmp"))
                ? Path.of("/tmp") : Path.of(System.getProperty("java.io.tmpdir"));
        try {
            Path dir = Files.createTempDirectory(base, DIR_PREFIX);
            Files.writeString(dir.resolve("owner"), Long.toString(ProcessHandle.current().pid()));
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a sandbox run directory in " + base, e);
        }
    }

    static List<String> command(Launch l) {
        SandboxSpec spec = l.spec();
        List<String> cmd = new ArrayList<>(List.of("setpriv", "--pdeathsig", "KILL"));
        if (runningAsRoot()) {
            // root's qemu keeps only what reaching the workspaces needs: no CAP_CHOWN, CAP_MKNOD, CAP_SETFCAP,
            // CAP_SYS_ADMIN (security.* and trusted.* xattrs), nothing to regain on exec
            cmd.addAll(List.of("--inh-caps", "-all", "--ambient-caps", "-all",
                    "--bounding-set", "-all,+dac_override,+dac_read_search,+fowner"));
        }
        cmd.addAll(List.of("--", l.assets().qemu().toString(),
                "-M", "microvm,x-option-roms=off,isa-serial=on,pit=off,pic=off,rtc=on",
                "-nodefaults", "-no-user-config", "-display", "none", "-monitor", "none",
                "-serial", "file:" + l.serialLog(),
                "-m", Integer.toString(spec.memoryMib()),
                "-smp", Integer.toString(spec.vcpus()),
                "-no-reboot",
                "-sandbox", "on,obsolete=deny,elevateprivileges=deny,spawn=deny,resourcecontrol=deny",
                "-kernel", l.assets().kernel().toString(),
                "-initrd", l.initramfs().toString(),
                "-chardev", "socket,id=agent,path=" + l.agentSocket() + ",server=on,wait=off",
                "-device", "virtio-serial-device",
                "-device", "virtserialport,chardev=agent,name=keel.agent",
                "-qmp", "unix:" + l.qmpSocket() + ",server=on,wait=off",
                "-nic", "none"));
        if (l.accelerator().equals("kvm")) {
            cmd.addAll(List.of("-accel", "kvm", "-cpu", "host"));
        } else {
            // qemu64 rather than max: fewer emulated extensions, measurably faster process start under TCG
            cmd.addAll(List.of("-accel", spec.vcpus() > 1 ? "tcg,thread=multi" : "tcg", "-cpu", "qemu64"));
        }
        for (int i = 0; i < l.mounts().size(); i++) {
            WorkspaceMounts.Mount m = l.mounts().get(i);
            // security_model=mapped-xattr: what the guest sets as owner, mode (setuid included), device node or
            // symlink is kept in user.virtfs.* xattrs; on the host every file it creates is a plain file or
            // directory owned by qemu's user (the caller), mode 0600/0700
            cmd.addAll(List.of("-fsdev", "local,id=" + tag(i) + ",path=" + escape(m.real().toString())
                            + ",security_model=mapped-xattr" + (m.requested().readOnly() ? ",readonly=on" : ""),
                    "-device", "virtio-9p-device,fsdev=" + tag(i) + ",mount_tag=" + tag(i)));
        }
        if (spec.root() == GuestRoot.DEBIAN) {
            // the shared Debian tree, read-only; the guest puts a tmpfs overlay on top
            cmd.addAll(List.of("-fsdev", "local,id=" + ROOT_TAG + ",path=" + escape(l.assets().debianRoot().toString())
                            + ",security_model=none,readonly=on",
                    "-device", "virtio-9p-device,fsdev=" + ROOT_TAG + ",mount_tag=" + ROOT_TAG));
        }
        StringBuilder append = new StringBuilder(
                "console=ttyS0 quiet loglevel=3 rdinit=/init panic=-1 reboot=t 8250.nr_uarts=1 random.trust_cpu=on"
                        // no legacy keyboard controller to probe, no clocksource watchdog, no self-tests
                        + " i8042.noaux=1 i8042.nokbd=1 i8042.nopnp=1 no_timer_check nowatchdog cryptomgr.notests");
        if (!l.accelerator().equals("kvm")) {
            // without a known TSC frequency the guest calibrates against emulated timers and boots hang
            append.append(" tsc_early_khz=").append(tscKhz()).append(" tsc=reliable");
        }
        if (!l.bootArgs().isEmpty()) {
            append.append(' ').append(l.bootArgs());
        }
        cmd.addAll(List.of("-append", append.toString()));
        if (l.restore()) {
            // no boot: qemu waits for a migration stream (a saved booted VM of the same shape) on this socket
            cmd.addAll(List.of("-incoming", "unix:" + l.incomingSocket()));
        }
        return cmd;
    }

    /** qemu option values escape a comma by doubling it. */
    private static String escape(String value) {
        return value.replace(",", ",,");
    }

    static long tscKhz() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("cpu MHz")) {
                    double mhz = Double.parseDouble(line.substring(line.indexOf(':') + 1).trim());
                    if (mhz > 100) {
                        return Math.round(mhz * 1000);
                    }
                }
            }
        } catch (IOException | NumberFormatException e) {
            log.debug("cannot read the TSC frequency", e);
        }
        return 2_000_000;
    }

    static boolean runningAsRoot() {
        try {
            return ((Number) Files.getAttribute(Path.of("/proc/self"), "unix:uid")).intValue() == 0;
        } catch (IOException | UnsupportedOperationException e) {
            return "root".equals(System.getProperty("user.name"));
        }
    }

    static VmProcess start(Launch l) {
        List<String> cmd = command(l);
        log.debug("starting {}", cmd);
        WorkspaceGuard guard;
        try {
            guard = WorkspaceGuard.create(l.dir(), l.spec().workspaceQuota(), l.mounts().stream()
                    .filter(m -> !m.requested().readOnly()).map(WorkspaceMounts.Mount::real).toList());
        } catch (RuntimeException e) {
            deleteTree(l.dir());
            throw new SandboxBootException("cannot set up the workspace quota: " + e.getMessage(), e);
        }
        Process qemu;
        try {
            qemu = l.launcher().submit(() -> {
                ProcessBuilder pb = new ProcessBuilder(cmd)
                        .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                        .redirectErrorStream(true)
                        .redirectOutput(l.qemuLog().toFile());
                pb.environment().clear();
                pb.environment().put("PATH", "/usr/sbin:/usr/bin:/sbin:/bin");
                // the quota guard runs inside qemu's 9p server, where the guest's writes land on the host
                pb.environment().putAll(WorkspaceGuard.environment(l.assets().fsguard(), guard.file()));
                return pb.start();
            }).get();
        } catch (ExecutionException e) {
            deleteTree(l.dir());
            throw new SandboxBootException("cannot start qemu (" + l.assets().qemu() + "): " + e.getCause().getMessage(),
                    e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            deleteTree(l.dir());
            throw new SandboxBootException("interrupted while starting qemu");
        }
        Process reaper = null;
        try {
            ProcessBuilder pb = new ProcessBuilder("sh", "-c", REAPER, "keel-sandbox-reaper",
                    Long.toString(qemu.pid()), l.dir().toString())
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD);
            pb.environment().clear();
            pb.environment().put("PATH", "/usr/sbin:/usr/bin:/sbin:/bin");
            reaper = pb.start();
        } catch (IOException e) {
            log.warn("cannot start the sandbox reaper; a killed JVM may leave {} behind", l.dir(), e);
        }
        return new VmProcess(l, qemu, reaper, guard);
    }

    long pid() {
        return qemu.pid();
    }

    /** The workspaces as qemu shares them. */
    List<WorkspaceMounts.Mount> mounts() {
        return launch.mounts();
    }

    /** The workspace quota's counters. */
    WorkspaceGuard guard() {
        return guard;
    }

    boolean isAlive() {
        return qemu.isAlive();
    }

    int exitValue() {
        return qemu.isAlive() ? -1 : qemu.exitValue();
    }

    /** Completes when qemu has exited, however it exited. */
    java.util.concurrent.CompletableFuture<Process> onExit() {
        return qemu.onExit();
    }

    /** Waits at most {@code timeout} for qemu to exit; whether it has. */
    boolean awaitExit(java.time.Duration timeout) {
        try {
            return qemu.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return !qemu.isAlive();
        }
    }

    /** The guest console's output so far ("" when there is none). */
    String console() {
        return readQuietly(launch.serialLog());
    }

    /** qemu's own output so far ("" when there is none). */
    String qemuOutput() {
        return readQuietly(launch.qemuLog());
    }

    private static String readQuietly(Path p) {
        try {
            return Files.exists(p) ? Files.readString(p, StandardCharsets.ISO_8859_1) : "";
        } catch (IOException | UncheckedIOException e) {
            return "";
        }
    }

    /** The tail of qemu's own output and of the guest console, for boot failure messages. */
    String diagnostics() {
        StringBuilder s = new StringBuilder();
        for (Path p : List.of(launch.qemuLog(), launch.serialLog())) {
            try {
                if (Files.exists(p)) {
                    String text = Files.readString(p, StandardCharsets.UTF_8).strip();
                    if (!text.isEmpty()) {
                        s.append("\n--- ").append(p.getFileName()).append(" ---\n")
                                .append(text.substring(Math.max(0, text.length() - 2000)));
                    }
                }
            } catch (IOException | UncheckedIOException e) {
                log.debug("cannot read {}", p, e);
            }
        }
        return s.toString();
    }

    /** Waits briefly for qemu to exit (after a QMP quit), kills it otherwise, removes the directory. */
    void destroy(long graceMillis) {
        try {
            if (!qemu.waitFor(graceMillis, TimeUnit.MILLISECONDS)) {
                qemu.destroyForcibly();
                qemu.waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            qemu.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        deleteTree(launch.dir());
        if (reaper != null) {
            // SIGTERM interrupts its read: it exits without touching anything
            reaper.destroy();
            try {
                reaper.waitFor(2, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    log.debug("cannot delete {}", p, e);
                }
            });
        } catch (IOException e) {
            log.debug("cannot delete {}", dir, e);
        }
    }
}
