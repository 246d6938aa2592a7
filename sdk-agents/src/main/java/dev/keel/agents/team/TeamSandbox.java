package dev.keel.agents.team;

import dev.keel.agents.tool.ToolsetException;
import dev.keel.core.exec.Command;
import dev.keel.core.exec.CommandRunner;
import dev.keel.core.exec.ExecResult;
import dev.keel.core.exec.OutputListener;
import java.util.Objects;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One sandbox of a team: the toolsets that asked for the same {@link SandboxFactory.Request} share it. It starts
 * when the first of them starts ({@link #acquire()}) and is closed when the last of them closes
 * ({@link #release()}), so a runner's close leaves no VM behind and the next runner starts a fresh one.
 * {@link #runner()} is what the toolsets' commands run on: it forwards to the started sandbox and refuses when
 * none is running — a command never falls back to the host. Thread-safe.
 */
final class TeamSandbox {
    private static final Logger log = LoggerFactory.getLogger(TeamSandbox.class);

    /** Where the file asks for it ({@code runtime.sandbox}, {@code agents.root.toolsets[0].sandbox}). */
    private final String reference;
    private final SandboxFactory.Request request;
    /** The host's factory, or Keel's microVM one; resolved at start, so a missing module fails then. */
    private final Supplier<SandboxFactory> factory;
    private final CommandRunner forwarding = new Forwarding();
    private CommandRunner started;
    private int users;

    TeamSandbox(String reference, SandboxFactory.Request request, Supplier<SandboxFactory> factory) {
        this.reference = Objects.requireNonNull(reference, "reference");
        this.request = Objects.requireNonNull(request, "request");
        this.factory = Objects.requireNonNull(factory, "factory");
    }

    SandboxFactory.Request request() {
        return request;
    }

    /** Where the commands of the toolsets that share this sandbox run. */
    CommandRunner runner() {
        return forwarding;
    }

    /**
     * Starts the sandbox unless it runs already, and counts one more user.
     *
     * @throws MissingPrerequisiteException when the sandbox module or the VM prerequisites are missing
     * @throws ToolsetException             when the sandbox cannot start for another reason
     */
    synchronized void acquire() {
        if (started == null) {
            CommandRunner runner;
            try {
                runner = factory.get().start(request);
            } catch (ToolsetException e) {
                throw e;
            } catch (Exception e) {
                throw new ToolsetException(reference + ": the sandbox cannot start: " + e.getMessage(), e);
            }
            if (runner == null) {
                throw new ToolsetException(reference + ": the sandbox factory returned no sandbox");
            }
            started = runner;
            log.debug("{}: sandbox started: {}", reference, runner.describe());
        }
        users++;
    }

    /** One user fewer; the last one closes the sandbox. */
    synchronized void release() {
        if (users == 0) {
            return;
        }
        users--;
        if (users == 0 && started != null) {
            CommandRunner closing = started;
            started = null;
            if (closing instanceof AutoCloseable c) {
                try {
                    c.close();
                } catch (Exception e) {
                    log.warn("{}: closing the sandbox failed", reference, e);
                }
            }
        }
    }

    private synchronized CommandRunner current() {
        if (started == null) {
            throw new ToolsetException(reference + ": the sandbox is not running (the toolset is closed or has not "
                    + "started); the command was not run");
        }
        return started;
    }

    @Override
    public synchronized String toString() {
        return "TeamSandbox[" + reference + ", " + request + (started != null ? ", running, users=" + users : "") + "]";
    }

    /** Forwards to the running sandbox; never runs anything on the host. */
    private final class Forwarding implements CommandRunner {
        @Override
        public ExecResult run(Command command, OutputListener listener) {
            return current().run(command, listener);
        }

        @Override
        public String describe() {
            CommandRunner r;
            synchronized (TeamSandbox.this) {
                r = started;
            }
            return r != null ? r.describe() : "a sandbox (" + reference + ")";
        }
    }
}
