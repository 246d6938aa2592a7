package dev.keel.agents.toolsets;

import java.util.Arrays;
import java.util.Objects;

/**
 * How the host application answers {@code sudo}'s password prompt for a shell command of an agent
 * ({@code sudo_askpass: true}, {@link ShellToolset.Builder#sudoAskpass(boolean)}): show a masked password field to
 * the person the agent works for, and return what they typed.
 *
 * <p>A dedicated interface rather than {@link UserPrompter} with a "masked" flag, because the answer is a secret
 * and the two are handled differently all the way through: a {@code user_prompt} answer is given to the model as
 * the tool's result, and hosts typically show, log or store it; a sudo password must never reach the model, a log
 * or a transcript, so it is typed as {@code char[]} (clear it after use), never carried in a {@code JsonValue},
 * and an implementor cannot mistake the question for an ordinary one. The password goes only to the one
 * {@code sudo} prompt it answers (over a private channel to the askpass helper sudo runs); Keel keeps no copy,
 * so each prompt asks again unless the implementation chooses to remember the password.
 *
 * <p>Called on a Keel thread while the command waits; implementations must be thread-safe, since commands of
 * several sessions may ask at once. When the command ends first (its timeout, or the run is cancelled), the
 * calling thread is interrupted: return promptly then, and the answer is discarded.
 *
 * <pre>{@code
 * SudoPrompter prompter = request -> {
 *     char[] typed = myUi.askPassword("sudo for " + request.command(), request.prompt()); // masked input
 *     return typed == null ? SudoPrompter.Answer.decline() : SudoPrompter.Answer.password(typed);
 * };
 * }</pre>
 */
@FunctionalInterface
public interface SudoPrompter {

    /**
     * Asks the user for the password sudo wants.
     *
     * @param request what asks, and sudo's prompt
     * @return the answer; a decline or a cancel makes sudo fail as it does without a password
     * @throws Exception when asking fails; sudo then fails as on a decline, and the command's output names the
     *     exception's class only (never its message, which might hold what the user typed)
     */
    Answer ask(Request request) throws Exception;

    /**
     * No one to ask (a headless service): every prompt is declined, and the command's output says that no host
     * application answers sudo password prompts.
     *
     * @return the prompter of headless runs
     */
    static SudoPrompter headless() {
        return dev.keel.agents.internal.askpass.HeadlessSudoPrompter.INSTANCE;
    }

    /**
     * A password prompt raised by a shell command.
     *
     * @param agent     the agent whose command asks
     * @param sessionId its session
     * @param command   the shell command the agent ran (model-written: show it so the user knows what asks)
     * @param prompt    sudo's prompt, for example {@code [sudo] password for alice: } (the command can choose it
     *                  with {@code sudo -p}, so show it as the command's text, not as Keel's)
     */
    record Request(String agent, String sessionId, String command, String prompt) {
        /**
         * Checks the fields.
         *
         * @param agent     the agent whose command asks
         * @param sessionId its session
         * @param command   the shell command
         * @param prompt    sudo's prompt
         */
        public Request {
            Objects.requireNonNull(agent, "agent");
            Objects.requireNonNull(sessionId, "sessionId");
            Objects.requireNonNull(command, "command");
            Objects.requireNonNull(prompt, "prompt");
        }
    }

    /**
     * The user's answer: a password, a decline or a cancel. Holds its own copy of the password, which Keel clears
     * once it is sent; {@link #toString()} never shows it. Not thread-safe.
     */
    final class Answer {
        private static final Answer DECLINE = new Answer(null, false);
        private static final Answer CANCEL = new Answer(null, true);

        private final char[] password;
        private final boolean cancelled;
        private boolean taken;

        private Answer(char[] password, boolean cancelled) {
            this.password = password;
            this.cancelled = cancelled;
        }

        /**
         * The user typed {@code password}. The answer copies it, so the caller may clear its array at once.
         *
         * @param password what the user typed (not empty, one line)
         * @return the answer
         */
        public static Answer password(char[] password) {
            Objects.requireNonNull(password, "password");
            return new Answer(password.clone(), false);
        }

        /**
         * The user refused to give the password.
         *
         * @return the answer
         */
        public static Answer decline() {
            return DECLINE;
        }

        /**
         * The user dismissed the prompt.
         *
         * @return the answer
         */
        public static Answer cancel() {
            return CANCEL;
        }

        /**
         * Whether the user gave a password.
         *
         * @return whether the user gave a password
         */
        public boolean accepted() {
            return password != null;
        }

        /**
         * Whether the user dismissed the prompt (as opposed to declining it).
         *
         * @return whether the user dismissed the prompt
         */
        public boolean cancelled() {
            return cancelled;
        }

        /**
         * Hands the password over to its one reader (Keel's askpass channel), which must clear the array after use.
         * For Keel's use; a second call returns an empty array.
         *
         * @return the password, or an empty array when declined, cancelled or already taken
         */
        public char[] takePassword() {
            if (password == null || taken) {
                return new char[0];
            }
            taken = true;
            char[] out = password.clone();
            Arrays.fill(password, '\0');
            return out;
        }

        /** Says what the user did; never shows the password. */
        @Override
        public String toString() {
            return password != null ? "Answer[password=***]" : cancelled ? "Answer[cancel]" : "Answer[decline]";
        }
    }
}
