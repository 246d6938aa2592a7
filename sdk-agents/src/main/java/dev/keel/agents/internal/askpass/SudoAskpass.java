package dev.keel.agents.internal.askpass;

import dev.keel.agents.toolsets.SudoPrompter;
import dev.keel.core.exec.Command;
import dev.keel.core.exec.CommandRunner;
import dev.keel.core.exec.ExecResult;
import dev.keel.core.exec.OutputListener;
import java.io.IOException;
import java.util.Objects;

/**
 * A shell toolset's sudo askpass: its {@link AskpassBroker}, started by the first command and closed with the
 * toolset (a later command starts a new one), shared by the copies of the toolset that wrap its runner (a
 * recording's). Thread-safe.
 */
public final class SudoAskpass implements AutoCloseable {
    private final SudoPrompter prompter;
    private AskpassBroker broker;
    /**
     * The grants of commands still running, by token, for redaction: kept until {@link #release} even when the
     * broker closes under a running command, so that what it was given is still removed from its output.
     */
    private final java.util.Map<String, AskpassBroker.Grant> running = new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * Askpass answered by {@code prompter}.
     *
     * @param prompter the host application's prompter, or null when headless
     */
    public SudoAskpass(SudoPrompter prompter) {
        this.prompter = prompter;
    }

    /**
     * The prompter, or null when headless.
     *
     * @return the prompter, or null
     */
    public SudoPrompter prompter() {
        return prompter;
    }

    /**
     * A token for one command, starting the broker if needed.
     *
     * @param agent the agent running the command
     * @param sessionId its session
     * @param command the shell command
     * @return the grant; {@link #release} it when the command ends
     * @throws IOException when the broker cannot start
     */
    public synchronized AskpassBroker.Grant grant(String agent, String sessionId, String command) throws IOException {
        if (broker == null) {
            broker = AskpassBroker.start(prompter == null ? SudoPrompter.headless() : prompter);
        }
        AskpassBroker.Grant g = broker.grant(agent, sessionId, command);
        running.put(g.token(), g);
        return g;
    }

    /**
     * Ends a command's grant: its token is revoked and prompts still open are dropped.
     *
     * @param grant the command's grant
     */
    public void release(AskpassBroker.Grant grant) {
        grant.close();
        running.remove(grant.token());
    }

    /**
     * {@code runner}, with the passwords handed out to each command removed from its output before anything
     * wrapped around it (a recording) sees it.
     *
     * @param runner where commands run
     * @return the redacting runner
     */
    public CommandRunner redacting(CommandRunner runner) {
        return new Redacting(Objects.requireNonNull(runner, "runner"));
    }

    private ExecResult redact(Command command, ExecResult r) {
        String token = command.env().get(AskpassClient.TOKEN_VARIABLE);
        AskpassBroker.Grant grant = token == null ? null : running.get(token);
        return grant == null ? r : new ExecResult(r.exitCode(), grant.redact(r.stdout()), grant.redact(r.stderr()),
                r.timedOut(), r.truncated(), r.duration());
    }

    /** Closes the broker: helpers fail, the directory is removed. Idempotent. */
    @Override
    public void close() {
        AskpassBroker b;
        synchronized (this) {
            b = broker;
            broker = null;
        }
        if (b != null) {
            b.close();
        }
    }

    @Override
    public String toString() {
        return "SudoAskpass[" + (prompter == null ? "headless" : prompter) + "]";
    }

    private final class Redacting implements CommandRunner {
        private final CommandRunner runner;

        Redacting(CommandRunner runner) {
            this.runner = runner;
        }

        @Override
        public ExecResult run(Command command, OutputListener listener) {
            return redact(command, runner.run(command, listener));
        }

        @Override
        public String describe() {
            return runner.describe();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Redacting other && other.owner() == SudoAskpass.this && runner.equals(other.runner);
        }

        private SudoAskpass owner() {
            return SudoAskpass.this;
        }

        @Override
        public int hashCode() {
            return runner.hashCode();
        }

        @Override
        public String toString() {
            return runner.toString();
        }
    }
}
