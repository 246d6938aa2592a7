package dev.keel.sandbox.internal;

import dev.keel.sandbox.GuestRoot;
import dev.keel.sandbox.SandboxBootException;
import dev.keel.sandbox.SandboxSpec;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings one VM up: starts qemu, restores a saved booted VM or waits for the booted agent (saving a
 * snapshot for later sandboxes on the way), switches to the Debian root, mounts the workspaces and sets up
 * the network. On any failure nothing is left running.
 */
final class BootSequence {
    private static final Logger log = LoggerFactory.getLogger(BootSequence.class);
    private static final Duration STEP_TIMEOUT = Duration.ofSeconds(60);

    /** What a successful boot hands to the sandbox. */
    record Booted(VmProcess vm, AgentConnection agent, Qmp qmp, GuestNetwork network, Duration bootTime,
                  boolean restored) {}

    private BootSequence() {}

    /**
     * @param restoreFrom a snapshot to restore instead of booting ({@code launch.restore()} is then set), or null
     * @param saveTo      after a boot, save the freshly booted VM here before anything of the sandbox touches
     *                    it (best effort), or null
     */
    static Booted run(SandboxSpec spec, VmProcess.Launch launch, Path restoreFrom, Path saveTo, SSLContext upstreamTls) {
        long t0 = System.nanoTime();
        StringBuilder steps = new StringBuilder();
        VmProcess vm = VmProcess.start(launch);
        step(steps, "qemu started", t0);
        AgentConnection agent = null;
        Qmp qmp = null;
        GuestNetwork network = null;
        try {
            if (restoreFrom != null) {
                Snapshots.send(restoreFrom, connect(vm, launch.incomingSocket(), spec.bootTimeout()));
                step(steps, "state sent", t0);
                connect(vm, launch.qmpSocket(), spec.bootTimeout()).close();
                qmp = Qmp.connect(launch.qmpSocket());
                // talk to the agent only once the guest runs again: bytes sent while qemu is still loading the
                // device state could reach a virtio-serial port that does not exist yet
                awaitRunning(vm, qmp, spec.bootTimeout());
                step(steps, "running", t0);
            }
            // qemu creates the sockets one after the other: wait for both
            SocketChannel agentChannel = connect(vm, launch.agentSocket(), spec.bootTimeout());
            agent = new AgentConnection(agentChannel, spec.name());
            if (qmp == null) {
                connect(vm, launch.qmpSocket(), spec.bootTimeout()).close();
                qmp = Qmp.connect(launch.qmpSocket());
            }
            if (restoreFrom != null) {
                // the agent said hello before the snapshot was taken; now it only has to take the clock and entropy
                agent.request(AgentProtocol.T_RESUMED, resumePayload(), spec.bootTimeout());
                step(steps, "agent resumed", t0);
            } else {
                waitReady(vm, agent, spec.bootTimeout());
                step(steps, "agent ready", t0);
                if (saveTo != null) {
                    save(qmp, agent, launch, saveTo, t0);
                }
            }
            if (spec.root() == GuestRoot.DEBIAN) {
                agent.request(AgentProtocol.T_ROOT, new Payload().string(VmProcess.ROOT_TAG).bytes(), STEP_TIMEOUT);
            }
            for (int i = 0; i < launch.mounts().size(); i++) {
                WorkspaceMounts.Mount m = launch.mounts().get(i);
                byte[] p = new Payload().u32(m.requested().readOnly() ? 1 : 0).string(VmProcess.tag(i))
                        .string(m.real().toString()).string(m.alias() == null ? "" : m.alias()).bytes();
                agent.request(AgentProtocol.T_MOUNT, p, STEP_TIMEOUT);
            }
            step(steps, "workspaces mounted", t0);
            if (spec.network().enabled()) {
                network = GuestNetwork.setUp(spec, agent, upstreamTls);
                step(steps, "network", t0);
            }
            Duration bootTime = Duration.ofNanos(System.nanoTime() - t0);
            log.debug("sandbox {}: {}", spec.name(), steps);
            log.info("sandbox {} {} in {} ms ({}, pid {})", spec.name(), restoreFrom != null ? "restored" : "up",
                    bootTime.toMillis(), launch.accelerator(), vm.pid());
            return new Booted(vm, agent, qmp, network, bootTime, restoreFrom != null);
        } catch (IOException | AgentConnection.AgentError | RuntimeException e) {
            String diagnostics = vm.diagnostics();
            if (network != null) {
                network.close();
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

    /** Notes how long after {@code t0} a step finished (for the debug log). */
    private static void step(StringBuilder steps, String what, long t0) {
        steps.append(steps.length() == 0 ? "" : ", ").append(what).append(" at ")
                .append((System.nanoTime() - t0) / 1_000_000).append(" ms");
    }

    private static void save(Qmp qmp, AgentConnection agent, VmProcess.Launch launch, Path saveTo, long t0) {
        try {
            long s0 = System.nanoTime();
            // only what is in use goes into the file: every free page zeroed, the page cache dropped
            agent.request(AgentProtocol.T_QUIESCE, new byte[0], Duration.ofSeconds(60));
            Snapshots.save(qmp, launch, saveTo, Duration.ofNanos(s0 - t0));
            log.info("saved a booted VM to {} in {} ms", saveTo, (System.nanoTime() - s0) / 1_000_000);
        } catch (IOException | AgentConnection.AgentError e) {
            log.warn("could not save a snapshot of the booted VM; later sandboxes boot: {}", e.getMessage());
        }
    }

    /** The host's wall clock and fresh entropy for a restored guest (see the agent's main.c, do_resumed). */
    private static byte[] resumePayload() {
        Instant now = Instant.now();
        byte[] entropy = new byte[64];
        new SecureRandom().nextBytes(entropy);
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

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SandboxBootException("interrupted while booting");
        }
    }
}
