package dev.keel.sandbox;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.discovery.DiscoverySelectors;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

/**
 * Runs test classes in this JVM and exits 0 only when every test ran and passed (an aborted or skipped test is a
 * failure here: the point is that they all run). Started by {@link UnprivilegedContainmentTest} as an unprivileged
 * user; refuses to run as root.
 */
public final class UnprivilegedMain {
    private UnprivilegedMain() {}

    public static void main(String[] classes) throws Exception {
        int uid = (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        PrintWriter out = new PrintWriter(System.out, true);
        if (uid == 0) {
            out.println("UnprivilegedMain must not run as root");
            System.exit(2);
        }
        out.println("running " + classes.length + " test classes as uid " + uid + " (" + System.getProperty("user.name") + ")");
        LauncherDiscoveryRequest request = LauncherDiscoveryRequestBuilder.request()
                .selectors(Arrays.stream(classes).map(DiscoverySelectors::selectClass).toList()).build();
        SummaryGeneratingListener summary = new SummaryGeneratingListener();
        TestExecutionListener progress = new TestExecutionListener() {
            @Override
            public void executionFinished(TestIdentifier id, TestExecutionResult result) {
                if (id.isTest()) {
                    out.println(result.getStatus() + " " + id.getUniqueId()
                            + result.getThrowable().map(t -> ": " + t).orElse(""));
                }
            }

            @Override
            public void executionSkipped(TestIdentifier id, String reason) {
                out.println("SKIPPED " + id.getUniqueId() + ": " + reason);
            }
        };
        Launcher launcher = LauncherFactory.create();
        launcher.execute(request, summary, progress);
        TestExecutionSummary s = summary.getSummary();
        s.printTo(out);
        s.printFailuresTo(out, 20);
        boolean allRan = s.getTestsFoundCount() > 0 && s.getTestsSucceededCount() == s.getTestsFoundCount();
        System.exit(allRan ? 0 : 1);
    }
}
