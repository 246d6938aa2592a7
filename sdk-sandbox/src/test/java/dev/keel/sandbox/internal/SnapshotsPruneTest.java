package dev.keel.sandbox.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SnapshotsPruneTest {
    @TempDir
    Path dir;

    @Test
    void snapshotsUnusedForAWeekGoAndUsedOnesStay() throws Exception {
        Path old = Files.writeString(dir.resolve("vm-old.state"), "x");
        Path oldBoot = Files.writeString(dir.resolve("vm-old.state.boot-ms"), "1900");
        Path used = Files.writeString(dir.resolve("vm-used.state"), "y");
        Path other = Files.writeString(dir.resolve("unrelated.txt"), "z");
        FileTime eightDaysAgo = FileTime.from(Instant.now().minus(Duration.ofDays(8)));
        for (Path p : new Path[] {old, used, other}) {
            Files.setLastModifiedTime(p, eightDaysAgo);
        }
        Snapshots.touch(used); // a restore used it
        Snapshots.prune(dir);
        assertThat(old).doesNotExist();
        assertThat(oldBoot).doesNotExist();
        assertThat(used).exists();
        assertThat(other).exists();
    }
}
