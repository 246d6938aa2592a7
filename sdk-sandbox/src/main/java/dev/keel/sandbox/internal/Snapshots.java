package dev.keel.sandbox.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keel.sandbox.SandboxSpec;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.FileChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Saved booted VMs. A snapshot is QEMU's migration stream of a VM whose agent has just said hello — before
 * any workspace is mounted (a mounted 9p share blocks migration), any network is set up or any command
 * ran, so it holds nothing of any sandbox. Each snapshot fits one VM "shape": qemu binary, kernel,
 * initramfs, accelerator, memory, vCPUs, number of workspace devices, guest root, kernel arguments; the file name is
 * the hash of all of them. QEMU 7.2 has no {@code file:} migration and qemu's seccomp sandbox forbids
 * {@code exec:}, so the stream goes over a unix socket to and from the JVM, which writes and reads the
 * file. Files are written to a temporary name and moved into place, readable by the owner only.
 */
final class Snapshots {
    private static final String FORMAT = "keel-snapshot-2";
    private static final Duration SAVE_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration UNUSED_FOR = Duration.ofDays(7);

    private Snapshots() {}

    /** The snapshot file for VMs of this shape. */
    static Path file(Path dir, Assets assets, Path initramfs, String accelerator, SandboxSpec spec, String bootArgs) {
        StringBuilder key = new StringBuilder(FORMAT);
        for (Path p : List.of(assets.qemu(), assets.kernel(), initramfs)) {
            key.append('|').append(p).append('|').append(sizeAndTime(p));
        }
        key.append('|').append(accelerator).append('|').append(spec.memoryMib()).append('|').append(spec.vcpus())
                .append('|').append(spec.workspaces().size()).append('|').append(spec.root()).append('|').append(bootArgs);
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(key.toString().getBytes(StandardCharsets.UTF_8));
            return dir.resolve("vm-" + HexFormat.of().formatHex(hash).substring(0, 24) + ".state");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String sizeAndTime(Path p) {
        try {
            return Files.size(p) + "@" + Files.getLastModifiedTime(p).toMillis();
        } catch (IOException e) {
            return "?";
        }
    }

    /** The boot time measured when the snapshot was saved (what a restore has to beat). */
    static Optional<Duration> bootTimeOf(Path snapshot) {
        try {
            return Optional.of(Duration.ofMillis(Long.parseLong(Files.readString(bootTimeFile(snapshot)).trim())));
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    private static Path bootTimeFile(Path snapshot) {
        return snapshot.resolveSibling(snapshot.getFileName() + ".boot-ms");
    }

    /** Removes a snapshot that did not restore. */
    static void delete(Path snapshot) {
        try {
            Files.deleteIfExists(snapshot);
            Files.deleteIfExists(bootTimeFile(snapshot));
        } catch (IOException ignored) {
            // another JVM may be replacing it; the next failure tries again
        }
    }

    /**
     * Migrates the running VM into {@code target}, then lets it continue. The VM is paused for the
     * duration (about half a second for a 256 MiB guest under TCG).
     */
    static void save(Qmp qmp, VmProcess.Launch l, Path target, Duration bootTime) throws IOException {
        Files.createDirectories(target.getParent());
        Path tmp = target.resolveSibling(target.getFileName() + "." + ProcessHandle.current().pid() + "."
                + System.nanoTime() + ".tmp");
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(l.outgoingSocket()));
            CompletableFuture<Long> received = CompletableFuture.supplyAsync(() -> receive(server, tmp));
            // the default bandwidth cap (128 MiB/s) is meant for live migration over a network; this is a local file
            qmp.execute("migrate-set-parameters", "{\"max-bandwidth\":" + (16L << 30) + "}");
            qmp.execute("migrate", "{\"uri\":\"unix:" + l.outgoingSocket() + "\"}");
            String status = awaitMigration(qmp);
            long bytes = received.get(SAVE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            if (!status.equals("completed") || bytes == 0) {
                throw new IOException("migration " + status + " after " + bytes + " bytes");
            }
            Files.writeString(bootTimeFile(target), Long.toString(bootTime.toMillis()));
            prune(target.getParent());
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (ExecutionException | TimeoutException e) {
            throw new IOException("saving the VM failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while saving the VM", e);
        } finally {
            Files.deleteIfExists(tmp);
            Files.deleteIfExists(l.outgoingSocket());
            // after a completed migration the source is paused ("postmigrate"); after a failed one it may run
            JsonNode st = qmp.execute("query-status");
            if (!st.path("running").asBoolean(false)) {
                qmp.execute("cont");
            }
        }
    }

    private static long receive(ServerSocketChannel server, Path tmp) {
        try (SocketChannel in = server.accept();
             FileChannel out = FileChannel.open(tmp, java.util.Set.of(StandardOpenOption.CREATE_NEW,
                     StandardOpenOption.WRITE), PosixFilePermissions.asFileAttribute(
                     PosixFilePermissions.fromString("rw-------")))) {
            long total = 0;
            long n;
            while ((n = out.transferFrom(in, total, 1 << 24)) > 0) {
                total += n;
            }
            return total;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static String awaitMigration(Qmp qmp) throws IOException {
        long deadline = System.nanoTime() + SAVE_TIMEOUT.toNanos();
        while (true) {
            String status = qmp.execute("query-migrate").path("status").asText("");
            if (status.equals("completed") || status.equals("failed") || status.equals("cancelled")) {
                return status;
            }
            if (System.nanoTime() > deadline) {
                qmp.execute("migrate_cancel");
                return "timed out";
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while saving the VM", e);
            }
        }
    }

    /**
     * Removes snapshots no restore has used for {@link #UNUSED_FOR} (those of an older agent, kernel or qemu,
     * or of shapes nobody asks for any more): each is tens of megabytes.
     */
    static void prune(Path dir) {
        long cutoff = System.currentTimeMillis() - UNUSED_FOR.toMillis();
        try (java.util.stream.Stream<Path> files = Files.list(dir)) {
            files.filter(f -> f.getFileName().toString().endsWith(".state")).forEach(f -> {
                try {
                    if (Files.getLastModifiedTime(f).toMillis() < cutoff) {
                        delete(f);
                    }
                } catch (IOException ignored) {
                    // gone already
                }
            });
        } catch (IOException ignored) {
            // nothing to prune
        }
    }

    /** Marks a snapshot as used (its modification time is what {@link #prune} looks at). */
    static void touch(Path snapshot) {
        try {
            Files.setLastModifiedTime(snapshot, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis()));
        } catch (IOException ignored) {
            // pruning may then take it a little early; it is rebuilt on demand
        }
    }

    /** Streams a snapshot into a restoring qemu's incoming socket. */
    static void send(Path snapshot, SocketChannel to) throws IOException {
        try (FileChannel in = FileChannel.open(snapshot, StandardOpenOption.READ); to) {
            long size = in.size();
            long pos = 0;
            while (pos < size) {
                pos += in.transferTo(pos, size - pos, to);
            }
        }
    }
}
