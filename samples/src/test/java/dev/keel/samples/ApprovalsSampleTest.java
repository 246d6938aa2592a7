package dev.keel.samples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.testing.postgres.PostgresCluster;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code samples/run approvals} as a user runs it: three separate JVMs. The first suspends and prints the resume
 * command; running that command completes the run from PostgreSQL; running it again is refused with a non-zero
 * exit and runs nothing.
 */
class ApprovalsSampleTest {

    record Exit(int code, String output) {}

    private final String cluster = "approvals-test-" + ProcessHandle.current().pid() + "-" + System.nanoTime();

    @AfterEach
    void deleteTheCluster() throws IOException {
        Path dir = PostgresCluster.root().resolve("var/lib/keel-clusters").resolve(cluster);
        if (Files.exists(dir)) {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }

    private Exit jvm(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-D" + ApprovalsSample.CLUSTER_PROPERTY + "=" + cluster,
                "-cp", System.getProperty("java.class.path"), ApprovalsSample.class.getName()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).as(out).isTrue();
        return new Exit(p.exitValue(), out);
    }

    @Test
    void suspendsPrintsTheResumeCommandResumesInAnotherJvmAndRefusesASecondResume() throws Exception {
        Exit first = jvm();
        assertThat(first.code()).as(first.output()).isZero();
        assertThat(first.output()).containsPattern("wants deploy \\{[^}]*\"service\":\"billing\"")
                .containsPattern("wants deploy \\{[^}]*\"env\":\"staging\"")
                .doesNotContain("(deploy tool)");
        Matcher m = Pattern.compile("samples/run approvals --resume (\\S+) --approve").matcher(first.output());
        assertThat(m.find()).as(first.output()).isTrue();
        String token = m.group(1);

        Exit second = jvm("--resume", token, "--approve");
        assertThat(second.code()).as(second.output()).isZero();
        assertThat(second.output()).contains("(deploy tool) deploying billing to staging")
                .contains("Done: billing is live on staging.");

        Exit third = jvm("--resume", token, "--approve");
        assertThat(third.code()).as(third.output()).isEqualTo(ApprovalsSample.REFUSED);
        assertThat(third.output()).contains("Refused").doesNotContain("(deploy tool)");
    }
}
