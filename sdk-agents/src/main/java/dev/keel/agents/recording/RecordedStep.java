package dev.keel.agents.recording;

import dev.keel.core.ChatRequest;
import dev.keel.core.ChatResponse;
import dev.keel.core.json.JsonObject;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * One step of a recorded run. The hierarchy is closed: switch over it.
 */
public sealed interface RecordedStep {

    /**
     * Where the step happened.
     *
     * @return where the step happened
     */
    StepTag tag();

    /**
     * A model call: the request as sent and the answer, with the text as it streamed.
     *
     * @param tag        agent, session and turn ({@code call} is -1)
     * @param model      the model's label, for example {@code openai/gpt-5}
     * @param request    the request
     * @param response   the answer
     * @param textDeltas the answer's text in the pieces it streamed in (empty when it did not stream text)
     */
    record ModelCall(StepTag tag, String model, ChatRequest request, ChatResponse response, List<String> textDeltas)
            implements RecordedStep {
        /**
         * Copies the list.
         *
         * @param model the model's label, for example {@code openai/gpt-5}
         * @param request the request
         * @param response the answer
         * @param tag agent, session and turn ({@code call} is -1)
         * @param textDeltas the answer's text in the pieces it streamed in (empty when it did not stream text)
         */
        public ModelCall {
            Objects.requireNonNull(tag, "tag");
            Objects.requireNonNull(model, "model");
            Objects.requireNonNull(request, "request");
            Objects.requireNonNull(response, "response");
            textDeltas = List.copyOf(textDeltas);
        }
    }

    /**
     * A tool call that ran, with its arguments and the result the model saw.
     *
     * @param tag       agent, session, turn and call index
     * @param tool      the tool's name
     * @param arguments the parsed arguments
     * @param result    the result text
     * @param error     whether the result was an error
     */
    record ToolExecution(StepTag tag, String tool, JsonObject arguments, String result, boolean error)
            implements RecordedStep {
        /**
         * Checks the values are present.
         *
         * @param arguments the parsed arguments
         * @param error whether the result was an error
         * @param result the result text
         * @param tag agent, session, turn and call index
         * @param tool the tool's name
         */
        public ToolExecution {
            Objects.requireNonNull(tag, "tag");
            Objects.requireNonNull(tool, "tool");
            Objects.requireNonNull(arguments, "arguments");
            Objects.requireNonNull(result, "result");
        }
    }

    /**
     * A {@code transfer_task}: {@code subAgent} worked on {@code task} in session {@code subSession}.
     *
     * @param tag            the delegating agent, its session, turn and the call index of the transfer
     * @param subAgent       the agent the task went to
     * @param subSession     the label of the sub-agent's session
     * @param task           the task
     * @param expectedOutput what the delegating agent asked for
     */
    record Delegation(StepTag tag, String subAgent, String subSession, String task, String expectedOutput)
            implements RecordedStep {
        /**
         * Checks the values are present.
         *
         * @param expectedOutput what the delegating agent asked for
         * @param subAgent the agent the task went to
         * @param subSession the label of the sub-agent's session
         * @param tag the delegating agent, its session, turn and the call index of the transfer
         * @param task the task
         */
        public Delegation {
            Objects.requireNonNull(tag, "tag");
            Objects.requireNonNull(subAgent, "subAgent");
            Objects.requireNonNull(subSession, "subSession");
            Objects.requireNonNull(task, "task");
            Objects.requireNonNull(expectedOutput, "expectedOutput");
        }
    }

    /**
     * The conversation passed from {@code tag.agent()} to {@code toAgent}.
     *
     * @param tag     the agent handing off, its session and turn
     * @param toAgent the agent that continues
     */
    record Handoff(StepTag tag, String toAgent) implements RecordedStep {
        /**
         * Checks the values are present.
         *
         * @param tag the agent handing off, its session and turn
         * @param toAgent the agent that continues
         */
        public Handoff {
            Objects.requireNonNull(tag, "tag");
            Objects.requireNonNull(toAgent, "toAgent");
        }
    }

    /**
     * How a tool call's approval was decided.
     *
     * @param tag      agent, session, turn and call index
     * @param tool     the tool's name
     * @param approved whether it may run
     * @param decision what approved it ({@code READ_ONLY}, {@code ALLOWED}, {@code YOLO}, {@code APPROVER},
     *                 {@code REMEMBERED}) or why it was denied
     */
    record ApprovalDecision(StepTag tag, String tool, boolean approved, String decision) implements RecordedStep {
        /**
         * Checks the values are present.
         *
         * @param approved whether it may run
         * @param decision what approved it ({@code READ_ONLY}, {@code ALLOWED}, {@code YOLO}, {@code APPROVER}, {@code
         *     REMEMBERED}) or why it was denied
         * @param tag agent, session, turn and call index
         * @param tool the tool's name
         */
        public ApprovalDecision {
            Objects.requireNonNull(tag, "tag");
            Objects.requireNonNull(tool, "tool");
            Objects.requireNonNull(decision, "decision");
        }
    }

    /**
     * A permission filter's decision during a tool call: which resources were checked for whom, and the
     * outcome of each. No document text is recorded.
     *
     * @param tag        the tool call during which the filter ran
     * @param subject    who asked, for example {@code user:emilia}
     * @param permission the permission checked, for example {@code read}
     * @param checked    the resources and their outcomes, in the order checked
     */
    record PermissionCheck(StepTag tag, String subject, String permission, List<CheckedResource> checked)
            implements RecordedStep {
        /**
         * Copies the list.
         *
         * @param checked the resources and their outcomes, in the order checked
         * @param permission the permission checked, for example {@code read}
         * @param subject who asked, for example {@code user:emilia}
         * @param tag the tool call during which the filter ran
         */
        public PermissionCheck {
            Objects.requireNonNull(tag, "tag");
            Objects.requireNonNull(subject, "subject");
            Objects.requireNonNull(permission, "permission");
            checked = List.copyOf(checked);
        }
    }

    /**
     * A command a tool ran (a shell or script tool, on the host or in a sandbox).
     *
     * @param tag      the tool call that ran it
     * @param runner   where it ran, as the command runner describes itself
     * @param argv     the command line
     * @param exitCode its exit code
     * @param stdout   its standard output (as captured, possibly cut)
     * @param stderr   its standard error
     * @param timedOut whether it was stopped by its timeout
     */
    record CommandRun(StepTag tag, String runner, List<String> argv, int exitCode, String stdout, String stderr,
                      boolean timedOut) implements RecordedStep {
        /**
         * Copies the list.
         *
         * @param argv the command line
         * @param exitCode its exit code
         * @param runner where it ran, as the command runner describes itself
         * @param stderr its standard error
         * @param stdout its standard output (as captured, possibly cut)
         * @param tag the tool call that ran it
         * @param timedOut whether it was stopped by its timeout
         */
        public CommandRun {
            Objects.requireNonNull(tag, "tag");
            Objects.requireNonNull(runner, "runner");
            argv = List.copyOf(argv);
            Objects.requireNonNull(stdout, "stdout");
            Objects.requireNonNull(stderr, "stderr");
        }
    }

    /**
     * An HTTP request a tool made (the fetch toolset), with the status it got; -1 when it failed without an
     * answer.
     *
     * @param tag    the tool call that made it
     * @param method the HTTP method
     * @param url    the URL (key-like query parameters redacted)
     * @param status the status code, or -1
     */
    record HttpFetch(StepTag tag, String method, String url, int status) implements RecordedStep {
        /**
         * Checks the values are present.
         *
         * @param method the HTTP method
         * @param status the status code, or -1
         * @param tag the tool call that made it
         * @param url the URL (key-like query parameters redacted)
         */
        public HttpFetch {
            Objects.requireNonNull(tag, "tag");
            Objects.requireNonNull(method, "method");
            Objects.requireNonNull(url, "url");
        }
    }

    /**
     * A background job started with {@code recall: true} ended, and its message was told to the session between
     * two model calls. A replay tells the recorded message at the same point, whenever (or whether) the job ends
     * this time.
     *
     * @param tag         the agent about to call its model, the session the message was told to, the turn and, as
     *                    {@code call}, the message's place among those told at that point (from 0)
     * @param afterAnswer {@code false}: told before the model call of {@code tag.turn()}; {@code true}: told right
     *                    after the model's final answer of {@code tag.turn()}, which made the run go on
     * @param jobId       the job's id
     * @param command     the job's command (secrets redacted)
     * @param state       how the job ended: {@code completed}, {@code failed}, {@code timed out} or {@code stopped}
     * @param exitCode    the job's exit code, or -1
     * @param message     the user message told to the session (secrets redacted)
     */
    record JobRecall(StepTag tag, boolean afterAnswer, String jobId, String command, String state, int exitCode,
                     String message) implements RecordedStep {
        /**
         * Checks the values are present.
         *
         * @param tag the agent, the session, the turn and the message's place among those told at that point
         * @param afterAnswer whether it was told after the model's final answer of {@code tag.turn()}
         * @param jobId the job's id
         * @param command the job's command (secrets redacted)
         * @param state how the job ended
         * @param exitCode the job's exit code, or -1
         * @param message the user message told to the session (secrets redacted)
         */
        public JobRecall {
            Objects.requireNonNull(tag, "tag");
            Objects.requireNonNull(jobId, "jobId");
            Objects.requireNonNull(command, "command");
            Objects.requireNonNull(state, "state");
            Objects.requireNonNull(message, "message");
        }
    }

    /**
     * A schedule of a {@code scheduler} toolset came due, and its message was told to the session between two
     * model calls. A replay tells the recorded message at the same point, whatever the clock says this time.
     *
     * @param tag         the agent about to call its model, the session the message was told to, the turn and, as
     *                    {@code call}, the message's place among those told at that point (from 0)
     * @param afterAnswer {@code false}: told before the model call of {@code tag.turn()}; {@code true}: told right
     *                    after the model's final answer of {@code tag.turn()}, which made the run go on
     * @param scheduleId  the schedule's id ({@code sched-N})
     * @param name        the schedule's label (secrets redacted), or empty
     * @param dueAt       when it was due
     * @param message     the user message told to the session (secrets redacted)
     */
    record ScheduleFire(StepTag tag, boolean afterAnswer, String scheduleId, String name, Instant dueAt,
                        String message) implements RecordedStep {
        /**
         * Checks the values are present.
         *
         * @param tag the agent, the session, the turn and the message's place among those told at that point
         * @param afterAnswer whether it was told after the model's final answer of {@code tag.turn()}
         * @param scheduleId the schedule's id
         * @param name the schedule's label (secrets redacted), or empty
         * @param dueAt when it was due
         * @param message the user message told to the session (secrets redacted)
         */
        public ScheduleFire {
            Objects.requireNonNull(tag, "tag");
            Objects.requireNonNull(scheduleId, "scheduleId");
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(dueAt, "dueAt");
            Objects.requireNonNull(message, "message");
        }
    }
}
