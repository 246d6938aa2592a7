package dev.keel.sandbox.internal;

import dev.keel.sandbox.WorkspaceQuota;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;

/**
 * The JVM's side of keel-fsguard, the preload library that enforces a sandbox's {@link WorkspaceQuota} inside
 * qemu's 9p server: a state file in the sandbox's private run directory (layout: {@code src/main/c/fsguard/fsguard.h})
 * holding the limits and the read-write workspace roots, and the counters the guard keeps. Thread-safe.
 */
final class WorkspaceGuard {
    static final String STATE_FILE = "fsguard.state";
    private static final int SIZE = 4096;
    private static final int MAGIC = 0x4746534b;
    private static final int VERSION = 1;
    private static final int BYTE_LIMIT = 8;
    private static final int FILE_LIMIT = 16;
    private static final int BYTES_USED = 24;
    private static final int FILES_USED = 32;
    private static final int REFUSED = 40;
    private static final int ROOT_COUNT = 48;
    private static final int ROOTS = 52;

    private final Path file;
    private final MappedByteBuffer state;

    private WorkspaceGuard(Path file, MappedByteBuffer state) {
        this.file = file;
        this.state = state;
    }

    /** Writes the state file for qemu to find; roots are the real paths of the read-write workspaces. */
    static WorkspaceGuard create(Path runDir, WorkspaceQuota quota, List<Path> roots) {
        Path file = runDir.resolve(STATE_FILE);
        try (FileChannel ch = FileChannel.open(file, EnumSet.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
                StandardOpenOption.WRITE), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))) {
            MappedByteBuffer m = ch.map(FileChannel.MapMode.READ_WRITE, 0, SIZE);
            m.order(ByteOrder.nativeOrder());
            m.putInt(0, MAGIC).putInt(4, VERSION).putLong(BYTE_LIMIT, quota.bytes()).putLong(FILE_LIMIT, quota.files());
            m.putInt(ROOT_COUNT, roots.size());
            m.position(ROOTS);
            for (Path root : roots) {
                byte[] b = root.toString().getBytes(StandardCharsets.UTF_8);
                if (m.remaining() < b.length + 1) {
                    throw new IllegalArgumentException("too many or too long workspace paths for the quota guard");
                }
                m.put(b).put((byte) 0);
            }
            m.force();
            return new WorkspaceGuard(file, m);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the workspace quota state in " + runDir, e);
        }
    }

    /** What qemu's environment needs for the guard to act. */
    static Map<String, String> environment(Path library, Path stateFile) {
        return Map.of("LD_PRELOAD", library.toString(), "KEEL_FSGUARD_STATE", stateFile.toString());
    }

    Path file() {
        return file;
    }

    /** Net bytes the sandbox added to its workspaces so far. */
    long bytesUsed() {
        return state.getLong(BYTES_USED);
    }

    /** Net entries the sandbox added so far. */
    long filesUsed() {
        return state.getLong(FILES_USED);
    }

    /** Writes and creations the guard refused. */
    long refused() {
        return state.getLong(REFUSED);
    }

    @Override
    public String toString() {
        return "WorkspaceGuard[" + bytesUsed() + " bytes, " + filesUsed() + " files, " + refused() + " refused]";
    }
}
